// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

// Nacks, redeliveries and dead letters on Google's own emulator, which — unlike pstest —
// enforces the dead-letter policy as Pub/Sub does: a message the pipeline refuses is nacked
// and redelivered until its max delivery attempts, then moved to the dead-letter topic exactly
// once; a message the pipeline takes on its third delivery is acked then, and never
// dead-lettered.
func TestNacksRedeliveriesAndDeadLettersOnTheEmulator(t *testing.T) {
	emu, err := processes.StartPubSubEmulator(t.TempDir())
	if errors.Is(err, processes.ErrNoPubSubEmulator) {
		t.Skipf("SKIPPED, a peer is missing: %v", err)
	}
	require.NoError(t, err)
	t.Cleanup(emu.Kill)
	ctx := context.Background()
	client, err := pubsub.NewClient(ctx, project, option.WithEndpoint(emu.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	topic := func(id string) string { return "projects/" + project + "/topics/" + id }
	sub := func(id string) string { return "projects/" + project + "/subscriptions/" + id }
	for _, id := range []string{"jobs", "jobs-dead-letter"} {
		_, err := client.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic(id)})
		require.NoError(t, err)
	}
	const maxAttempts = 5
	_, err = client.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{
		Name: sub("tap"), Topic: topic("jobs"), AckDeadlineSeconds: 10,
		DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: topic("jobs-dead-letter"), MaxDeliveryAttempts: maxAttempts},
		RetryPolicy:      &pubsubpb.RetryPolicy{MinimumBackoff: durationpb.New(100 * time.Millisecond), MaximumBackoff: durationpb.New(time.Second)},
	})
	require.NoError(t, err)
	_, err = client.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{Name: sub("dead-letters"), Topic: topic("jobs-dead-letter")})
	require.NoError(t, err)

	pub := client.Publisher("jobs")
	poison, err := pub.Publish(ctx, &pubsub.Message{Data: []byte(`{"model_name": "fail-me"}`), Attributes: map[string]string{"trace_id": jobUUID}}).Get(ctx)
	require.NoError(t, err)
	flaky, err := pub.Publish(ctx, &pubsub.Message{Data: []byte(`{"model_name": "resnet"}`), Attributes: map[string]string{"trace_id": jobUUID}}).Get(ctx)
	require.NoError(t, err)
	pub.Stop()
	var flakyRefusals atomic.Int32
	c := &collector{refuse: func(s ptrace.Span) error {
		id, _ := s.Attributes().Get("messaging.message.id")
		switch {
		case id.Str() == poison:
			return errors.New("exporter queue full")
		case id.Str() == flaky && flakyRefusals.Add(1) <= 2:
			return errors.New("exporter queue full")
		}
		return nil
	}}

	cfg := createDefaultConfig()
	cfg.Project, cfg.Endpoint, cfg.Insecure = project, emu.Addr, true
	cfg.Subscriptions = []SubscriptionConfig{{Name: "tap"}}
	r := start(t, cfg, c, false)

	var deadLettered []string
	deadCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_ = client.Subscriber("dead-letters").Receive(deadCtx, func(_ context.Context, m *pubsub.Message) {
		deadLettered = append(deadLettered, m.Attributes["trace_id"]+"/"+m.ID)
		m.Ack()
		cancel() // the first dead letter ends the wait; more would show in the counts below
	})
	require.Len(t, deadLettered, 1, "the poison message is dead-lettered")
	eventually(t, 30*time.Second, func() bool {
		return r.counter(t, "otelcol_receiver_pubsub_trace_acked", nil) == 1
	}, "the flaky message was never acked")
	assert.Equal(t, int64(maxAttempts+2), r.counter(t, "otelcol_receiver_pubsub_trace_nacked", map[string]string{"reason": "pipeline_error"}),
		"nacks: the poison message's %d deliveries and the flaky one's 2 refusals", maxAttempts)
	assert.Equal(t, int64(maxAttempts+3), r.counter(t, "otelcol_receiver_pubsub_trace_received", nil),
		"deliveries: %d of the poison message, 3 of the flaky one", maxAttempts)
	assert.Equal(t, 1, c.spanCount(), "one accepted span: the flaky message's third delivery")
}
