// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"errors"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

// The LogEntry shapes a Log Router sink exports for GKE containers and Cloud Run, and one
// whose every field is malformed: each decodes to the record in testdata/golden.
func TestDecodeLogEntryGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "cloudlogging", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			ld := plog.NewLogs()
			require.NoError(t, decodeLogEntry(data, ld))
			testutil.CompareLogsGolden(t, "cloudlogging_"+name, ld)
		})
	}
}

// A GKE entry's pod labels are on the resource, where k8s_attributes and the node agent put
// them, so one rule or query on k8s.pod.label.* sees every route; the record keeps none.
func TestPodLabelsAreResourceAttributes(t *testing.T) {
	ld := plog.NewLogs()
	require.NoError(t, decodeLogEntry([]byte(`{"jsonPayload": {"message": "x"}, "labels": {"k8s-pod/app": "ml-worker", "k8s-pod/team": "vision", "compute.googleapis.com/resource_name": "node-1"},
		"resource": {"type": "k8s_container", "labels": {"pod_name": "p", "namespace_name": "ml", "container_name": "worker"}}}`), ld))
	rl := ld.ResourceLogs().At(0)
	for label, want := range map[string]string{"app": "ml-worker", "team": "vision"} {
		v, ok := rl.Resource().Attributes().Get("k8s.pod.label." + label)
		require.True(t, ok, label)
		assert.Equal(t, want, v.Str())
	}
	svc, _ := rl.Resource().Attributes().Get("service.name")
	assert.Equal(t, "ml-worker", svc.Str(), "named by its pod's app label")
	for k := range rl.ScopeLogs().At(0).LogRecords().At(0).Attributes().All() {
		assert.False(t, strings.HasPrefix(k, "k8s.pod.label."), "record attribute %s", k)
	}
}

func TestDecodeLogEntryRefusesWhatIsNoEntry(t *testing.T) {
	for name, payload := range map[string]string{
		"not json":      `{"jsonPayload": {"a": 1}`,
		"no payload":    `{"timestamp": "2026-11-20T09:15:02Z", "severity": "INFO"}`,
		"json array":    `[{"textPayload": "x"}]`,
		"plain text":    `Starting training loop`,
		"empty message": ``,
	} {
		t.Run(name, func(t *testing.T) {
			ld := plog.NewLogs()
			assert.Error(t, decodeLogEntry([]byte(payload), ld))
			assert.Zero(t, ld.LogRecordCount(), "nothing half-decoded is left behind")
		})
	}
}

func BenchmarkDecodeLogEntry(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "cloudlogging", "gke_json_payload.json"))
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := decodeLogEntry(data, plog.NewLogs()); err != nil {
			b.Fatal(err)
		}
	}
}

// logsOnly runs the receiver in a logs pipeline alone, the way a Cloud Logging source does;
// consume may refuse.
func logsOnly(t *testing.T, cfg *Config, consume func(plog.Logs) error) *componenttest.Telemetry {
	tel := componenttest.NewTelemetry()
	set := receiverSettingsForLogsOnly()
	set.TelemetrySettings = tel.NewTelemetrySettings()
	next, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error { return consume(ld) })
	require.NoError(t, err)
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		assert.NoError(t, rcv.Shutdown(ctx))
		_ = tel.Shutdown(context.Background())
	})
	return tel
}

// A sink's message is acked only after the pipeline accepted its entry, and redelivered
// until then; no receive span is made for it.
func TestCloudLoggingAckAfterAccept(t *testing.T) {
	ps := newFakePubSub(t)
	ps.fastClock(t)
	ps.topic(t, "gke-logs")
	ps.subscription(t, "gke-logs-otel", "gke-logs")
	entry, err := os.ReadFile(filepath.Join("testdata", "cloudlogging", "gke_json_payload.json"))
	require.NoError(t, err)

	var mu sync.Mutex
	var kept []plog.Logs
	var refusals atomic.Int32
	tel := logsOnly(t, ps.config(SubscriptionConfig{Name: "gke-logs-otel", PayloadFormat: PayloadCloudLogging}), func(ld plog.Logs) error {
		if refusals.Add(1) <= 2 {
			return errors.New("memory_limiter: data refused")
		}
		mu.Lock()
		defer mu.Unlock()
		kept = append(kept, ld)
		return nil
	})
	id := ps.publish(t, "gke-logs", string(entry), map[string]string{"logging.googleapis.com/timestamp": "2026-11-20T09:15:02.481253Z"})
	eventually(t, 30*time.Second, func() bool { return ps.acks(id) == 1 }, "never acked")
	assert.GreaterOrEqual(t, ps.deliveries(id), 3, "redelivered after each refusal")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, kept, 1)
	rec := kept[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	worker, _ := rec.Body().Map().Get("worker_id")
	assert.Equal(t, "gpu-worker-1", worker.Str())
	assert.Equal(t, int64(2), testutil.Counter(t, tel, "otelcol_receiver_pubsub_trace_nacked", map[string]string{"reason": "pipeline_error"}))
}

// A message that holds no LogEntry follows on_decode_error: kept as text and tagged (then
// acked once accepted), or nacked until a dead-letter policy moves it away: never looped.
func TestCloudLoggingUndecodableMessage(t *testing.T) {
	t.Run("keep", func(t *testing.T) {
		ps := newFakePubSub(t)
		ps.topic(t, "gke-logs")
		ps.subscription(t, "gke-logs-otel", "gke-logs")
		cfg := ps.config(SubscriptionConfig{Name: "gke-logs-otel", PayloadFormat: PayloadCloudLogging})
		cfg.OnDecodeError = ActionKeep
		got := make(chan plog.Logs, 1)
		tel := logsOnly(t, cfg, func(ld plog.Logs) error { got <- ld; return nil })
		id := ps.publish(t, "gke-logs", `{"textPayload": "cut off`, nil)
		ld := <-got
		rec := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
		assert.Equal(t, `{"textPayload": "cut off`, rec.Body().Str())
		_, tagged := rec.Attributes().Get(attrDecodeError)
		assert.True(t, tagged)
		eventually(t, 10*time.Second, func() bool { return ps.acks(id) == 1 }, "kept record's message not acked")
		assert.Equal(t, int64(1), testutil.Counter(t, tel, "otelcol_receiver_pubsub_trace_decode_errors", nil))
	})
	// The nack hands the message back to Pub/Sub, whose dead-letter policy ends the loop
	// (TestDeadLetterTap shows pstest moving a nacked message).
	t.Run("nack", func(t *testing.T) {
		ps := newFakePubSub(t)
		ps.topic(t, "gke-logs")
		ps.subscription(t, "gke-logs-otel", "gke-logs")
		cfg := ps.config(SubscriptionConfig{Name: "gke-logs-otel", PayloadFormat: PayloadCloudLogging})
		var consumed atomic.Int32
		tel := logsOnly(t, cfg, func(plog.Logs) error { consumed.Add(1); return nil })
		id := ps.publish(t, "gke-logs", `not a log entry`, nil)
		eventually(t, 10*time.Second, func() bool {
			n, err := testutil.CounterValue(tel, "otelcol_receiver_pubsub_trace_nacked", map[string]string{"reason": "decode_error"})
			return err == nil && n >= 1
		}, "not nacked")
		assert.Zero(t, ps.acks(id))
		assert.Zero(t, consumed.Load(), "nothing undecodable reached the pipeline")
	})
}

// Every monitored-resource type Google documents for serverless and Kubernetes workloads
// names the record's service, so legacy_spans and the derived span IDs group by it.
func TestEveryWorkloadResourceNamesItsService(t *testing.T) {
	for typ, tc := range map[string]struct{ labels, want string }{
		"cloud_run_revision": {`{"service_name": "api", "revision_name": "api-00017"}`, "api"},
		"cloud_run_job":      {`{"job_name": "nightly-retrain"}`, "nightly-retrain"},
		"cloud_function":     {`{"function_name": "create-training-job", "region": "us-central1"}`, "create-training-job"},
		"gae_app":            {`{"module_id": "model-registry", "version_id": "v7"}`, "model-registry"},
		"k8s_container":      {`{"container_name": "worker", "pod_name": "p"}`, "worker"},
	} {
		ld := plog.NewLogs()
		require.NoError(t, decodeLogEntry([]byte(`{"textPayload": "x", "resource": {"type": "`+typ+`", "labels": `+tc.labels+`}}`), ld), typ)
		svc, ok := ld.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
		require.True(t, ok, "%s: no service.name", typ)
		assert.Equal(t, tc.want, svc.Str(), typ)
	}
}

// A request log (Cloud Run, App Engine, a load balancer) has no payload: it is still an entry,
// with its trace, its HTTP fields under the conventions, and the request line as its body.
func TestPayloadlessRequestLogIsAnEntry(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cloudlogging", "cloud_run_request.json"))
	require.NoError(t, err)
	ld := plog.NewLogs()
	require.NoError(t, decodeLogEntry(data, ld))
	rec := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "7d3e1c2b4a5968778695a4b3c2d1e0f9", rec.TraceID().String())
	assert.Equal(t, "POST 202 https://api-7hg2k3-ew.a.run.app/jobs", rec.Body().Str())
	status, _ := rec.Attributes().Get("http.response.status_code")
	assert.Equal(t, int64(202), status.Int())
	size, _ := rec.Attributes().Get("http.request.size")
	assert.Equal(t, int64(412), size.Int(), "LogEntry writes int64 sizes as strings")
	for k := range rec.Attributes().All() {
		assert.NotEqual(t, AttrMalformedFields, k)
	}
}
