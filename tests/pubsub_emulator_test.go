// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// startEmulator starts Google's Pub/Sub emulator and a client of it; a machine without the
// emulator skips, saying so.
func startEmulator(t *testing.T) (*processes.PubSubEmulator, *pubsub.Client) {
	t.Helper()
	emu, err := processes.StartPubSubEmulator(t.TempDir())
	if errors.Is(err, processes.ErrNoPubSubEmulator) {
		t.Skipf("SKIPPED, a peer is missing: %v", err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { emu.Kill() })
	ps, err := seedstack.Dial(context.Background(), emu.Addr, project)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ps.Close() })
	return emu, ps
}

// cloudLoggingEntry is a GKE container's JSON line as a Log Router sink publishes it.
func cloudLoggingEntry(marker, legacyID string) string {
	return `{"insertId":"` + marker + `","jsonPayload":{"level":"INFO","service":"ml-worker","message":"` + marker +
		`","trace_id":"` + legacyID + `"},"resource":{"type":"k8s_container","labels":{"project_id":"` + project +
		`","location":"us-central1-a","cluster_name":"gpu-pool","namespace_name":"ml","pod_name":"gpu-worker-7c9f-abcde","container_name":"worker"}},` +
		`"timestamp":"2026-11-20T09:15:02.481253Z","severity":"INFO","logName":"projects/` + project + `/logs/stdout","receiveTimestamp":"2026-11-20T09:15:04.118904152Z"}`
}

func indexedMarkers(es *esstandin.Server, prefix string) int {
	n := 0
	for _, d := range es.Docs() {
		if m, ok := esstandin.Field(d.Source, "message"); ok && strings.HasPrefix(fmt.Sprint(m), prefix) {
			n++
		}
	}
	return n
}

// A gateway that starts with a backlog on its Cloud Logging subscription — Google's emulator,
// the topology docs/deployment.md creates (dead-letter after 10 attempts), the gateway its own
// only peer — takes every entry without one nack, redelivery or dead letter: a start is never a
// reason to lose a message. Several starts, each on a subscription of its own (the emulator's
// quirk), because the race it guards against (the hand-off before the gateway's own OTLP port
// is open) does not happen at every start.
func TestCloudLoggingBacklogAtStartIsNeverNackedOnTheEmulator(t *testing.T) {
	emu, ps := startEmulator(t)
	ctx := context.Background()
	root := collectortest.RepoRoot(t)
	es := startStandin(t)
	topic := func(id string) string { return "projects/" + project + "/topics/" + id }
	sub := func(id string) string { return "projects/" + project + "/subscriptions/" + id }
	_, err := ps.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic("logs-dead-letter")})
	require.NoError(t, err)
	_, err = ps.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{Name: sub("logs-dead-letter-count"), Topic: topic("logs-dead-letter")})
	require.NoError(t, err)

	const starts, backlog = 4, 10
	for start := range starts {
		name := fmt.Sprintf("gke-container-logs-%d", start)
		_, err := ps.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic(name)})
		require.NoError(t, err)
		_, err = ps.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
			Name: sub(name + "-otel"), Topic: topic(name), AckDeadlineSeconds: 60,
			DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: topic("logs-dead-letter"), MaxDeliveryAttempts: 10},
		})
		require.NoError(t, err)
		prefix := fmt.Sprintf("start-%d-entry-", start)
		pub := ps.Publisher(name)
		for i := range backlog {
			_, err := pub.Publish(ctx, &pubsub.Message{Data: []byte(cloudLoggingEntry(fmt.Sprintf("%s%02d", prefix, i), fmt.Sprintf("job-%d-%d", start, i)))}).Get(ctx)
			require.NoError(t, err)
		}
		pub.Stop()

		g := startGatewayLogged(t, map[string]string{
			"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "GCP_PROJECT": project, "PUBSUB_ENDPOINT": emu.Addr, "PUBSUB_INSECURE": "true",
			"ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": "127.0.0.1:1", "JAEGER_INSECURE": "true",
			"CLOUD_LOGGING_SUBSCRIPTION": name + "-otel",
		}, filepath.Join(root, "configs", "gateway-cloud-logging.yaml"))
		testutil.Eventually(t, 60*time.Second, func() error {
			if n := indexedMarkers(es, prefix); n < backlog {
				return fmt.Errorf("start %d: %d of %d backlog entries indexed", start, n, backlog)
			}
			return nil
		})
		received, err := processes.MetricSum(g.TelemetryURL, "otelcol_receiver_pubsub_trace_received")
		require.NoError(t, err)
		nacked, err := processes.MetricSum(g.TelemetryURL, "otelcol_receiver_pubsub_trace_nacked")
		require.NoError(t, err)
		t.Logf("start %d: %v deliveries, %v nacked", start, received, nacked)
		assert.Zero(t, nacked, "start %d: entries nacked", start)
		assert.InDelta(t, backlog, received, 0, "start %d: each entry delivered once (more: redeliveries)", start)
		assert.Equal(t, backlog, indexedMarkers(es, prefix), "start %d: each entry indexed once", start)
		require.NoError(t, g.Stop(30*time.Second))
	}

	var deadLetters atomic.Int64
	pullCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = ps.Subscriber("logs-dead-letter-count").Receive(pullCtx, func(_ context.Context, m *pubsub.Message) {
		deadLetters.Add(1)
		m.Ack()
	})
	assert.Zero(t, deadLetters.Load(), "messages dead-lettered")
}
