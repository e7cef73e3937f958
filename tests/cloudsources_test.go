// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/translator/azure"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// docWhere returns the first indexed document whose field holds want.
func docWhere(es *esstandin.Server, field, want string) (esstandin.Doc, bool) {
	for _, d := range es.Docs() {
		if v, ok := esstandin.Field(d.Source, field); ok && fmt.Sprint(v) == want {
			return d, true
		}
	}
	return esstandin.Doc{}, false
}

func field(d esstandin.Doc, name string) string {
	v, _ := esstandin.Field(d.Source, name)
	return fmt.Sprint(v)
}

// Cloud Logging entries, as a Log Router sink publishes them, through the built gateway with
// configs/gateway-cloud-logging.yaml: each lands in Elasticsearch with its trace, the legacy
// ID inside jsonPayload bridges to the same trace.id the sidecar and OTLP routes give, a
// Cloud Trace context wins over a legacy ID and both are kept, the worker's span is in
// Jaeger, and a payload that is no LogEntry is kept, tagged and only then acked.
func TestCloudLoggingEntriesThroughTheGateway(t *testing.T) {
	root := collectortest.RepoRoot(t)
	jaeger, es, srv, ps := startPeers(t)
	startGatewayLogged(t, map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "GCP_PROJECT": project,
		"PUBSUB_ENDPOINT": srv.Addr, "PUBSUB_INSECURE": "true",
		"ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": jaeger.OTLPGRPC, "JAEGER_INSECURE": "true",
		"CLOUD_LOGGING_SUBSCRIPTION": seedstack.CloudLoggingSub,
	}, filepath.Join(root, "configs", "gateway-cloud-logging.yaml"))

	publish := func(data string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		id, err := ps.Publisher(seedstack.CloudLoggingTopic).Publish(ctx, &pubsub.Message{Data: []byte(data)}).Get(ctx)
		require.NoError(t, err)
		return id
	}
	shapes := filepath.Join(root, "receiver", "pubsubtracereceiver", "testdata", "cloudlogging")
	ids := map[string]string{}
	for _, name := range []string{"gke_json_payload", "gke_text_payload", "entry_with_trace", "broken_trace_fields"} {
		raw, err := os.ReadFile(filepath.Join(shapes, name+".json"))
		require.NoError(t, err)
		ids[name] = publish(string(raw))
	}
	const notAnEntry = `{"textPayload": "cut off by a proxy`
	ids["malformed"] = publish(notAnEntry)

	var worker, text, traced, malformed, broken esstandin.Doc
	testutil.Eventually(t, 60*time.Second, func() error {
		var ok [5]bool
		worker, ok[0] = docWhere(es, "log.record.uid", "1x2y3z4w5v6u")
		text, ok[1] = docWhere(es, "log.record.uid", "abc123")
		traced, ok[2] = docWhere(es, "log.record.uid", "trace1")
		malformed, ok[3] = docWhere(es, "message", notAnEntry)
		broken, ok[4] = docWhere(es, "message", "odd entry")
		if ok != [5]bool{true, true, true, true, true} {
			return fmt.Errorf("indexed so far (worker, text, traced, malformed, every field malformed): %v (refused: %d)", ok, es.Refused())
		}
		return nil
	})

	workerTrace := traceHex("0af76519-16cd-43dd-8448-eb211c80319c")
	assert.Equal(t, workerTrace, field(worker, "trace.id"), "jsonPayload.trace_id bridged as every other route bridges it")
	assert.Equal(t, "ml-worker", field(worker, "service.name"), "the pod's app.kubernetes.io/name label")
	assert.Equal(t, "gpu-worker-7c9f-abcde", field(worker, "k8s.pod.name"))
	assert.Equal(t, "ml", field(worker, "k8s.namespace.name"))
	assert.Equal(t, "gpu-worker-1", field(worker, "worker_id"))
	assert.Equal(t, "ERROR", field(worker, "log.level"))

	assert.Equal(t, "Starting training loop for job xyz-123", field(text, "message"))
	assert.Equal(t, "ml-worker", field(text, "service.name"))

	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", field(traced, "trace.id"), "the entry's own Cloud Trace context wins")
	assert.Equal(t, "00f067aa0ba902b7", field(traced, "span.id"))
	assert.Equal(t, "req-42", field(traced, "legacy.trace_id"), "the legacy ID is kept")
	assert.Equal(t, traceHex("req-42"), field(traced, "legacy.trace_id_mapped"), "with the trace it maps to")
	assert.Equal(t, "model-server", field(traced, "service.name"))

	assert.Zero(t, es.Refused(), "nothing refused by the mappings: %v", es.Failures())
	_, listed := esstandin.Field(broken.Source, "gcp.log_entry.malformed_fields")
	assert.True(t, listed, "an entry whose fields are malformed is indexed with them listed: %v", broken.Source)
	_, tagged := esstandin.Field(malformed.Source, "pubsub.payload.decode_error")
	assert.True(t, tagged, "the undecodable payload is tagged: %v", malformed.Source)
	for name, id := range ids {
		testutil.Eventually(t, 20*time.Second, func() error {
			if m := srv.Message(id); m == nil || m.Acks != 1 {
				return fmt.Errorf("%s's message not acked once", name)
			}
			return nil
		})
	}

	// Jaeger: legacy_spans made the worker's span from its Cloud Logging lines.
	testutil.Eventually(t, 60*time.Second, func() error {
		spans, err := jaeger.Trace(workerTrace)
		if err != nil {
			return err
		}
		for _, s := range spans {
			if s.Service == "ml-worker" {
				return nil
			}
		}
		return fmt.Errorf("no ml-worker span in %s yet (%d spans)", workerTrace, len(spans))
	})
}

// Azure Functions logs as a diagnostic setting streams them to an Event Hub. No Event Hubs
// endpoint runs here, so the recorded FunctionAppLogs payload goes through the translation
// the azureeventhub receiver runs (format: azure), then into the gateway's logs/azure
// pipeline of configs/gateway-azure-eventhub.yaml unchanged but for its receiver: the API's
// lines, the formatter's broken variant among them, get the job's trace.
func TestAzureFunctionAppLogsGetTheJobsTrace(t *testing.T) {
	root := collectortest.RepoRoot(t)
	es := startStandin(t)
	recorded, err := processes.FreeAddr()
	require.NoError(t, err)
	// The Event Hub stands in as an OTLP receiver in the same pipeline.
	swap := filepath.Join(t.TempDir(), "recorded-event-hub.yaml")
	require.NoError(t, os.WriteFile(swap, fmt.Appendf(nil, `receivers:
  otlp/recorded_event_hub:
    protocols:
      grpc:
        endpoint: %s
service:
  pipelines:
    logs/azure:
      receivers: [otlp/recorded_event_hub]
`, recorded), 0o600))
	startGatewayLogged(t, map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "ES_ENDPOINT": es.URL(),
		"AZURE_EVENTHUB_CONNECTION": azureConnection,
	}, filepath.Join(root, "configs", "gateway-azure-eventhub.yaml"), swap)

	payload, err := os.ReadFile(filepath.Join("testdata", "azure", "functionapplogs.json"))
	require.NoError(t, err)
	ld, err := (&azure.ResourceLogsUnmarshaler{Version: "test", Logger: zap.NewNop()}).UnmarshalLogs(payload)
	require.NoError(t, err)
	require.Equal(t, 4, ld.LogRecordCount())
	conn, err := grpc.NewClient(recorded, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	require.NoError(t, err)

	jobTrace := traceHex("6f1c2e4a-9b7d-4c3e-8a21-5d0f7e9b3c11")
	var docs []esstandin.Doc
	testutil.Eventually(t, 60*time.Second, func() error {
		docs = nil
		for _, d := range es.Docs() {
			if field(d, "service.name") == "azure-function-api" {
				docs = append(docs, d)
			}
		}
		if len(docs) < 4 {
			return fmt.Errorf("%d of 4 Function App records indexed", len(docs))
		}
		return nil
	})
	messages := map[string]esstandin.Doc{}
	for _, d := range docs {
		messages[field(d, "message")] = d
	}
	received, ok := messages["Received request to create training job."]
	require.True(t, ok, "the formatter's JSON is parsed: its message is the document's message (%v)", docs)
	assert.Equal(t, jobTrace, field(received, "trace.id"))
	assert.Equal(t, "INFO", field(received, "log.level"))
	assert.Equal(t, "Functions.create_training_job", field(received, "code.function.name"))

	var broken esstandin.Doc
	for msg, d := range messages {
		if strings.Contains(msg, `resource="training-jobs"`) {
			broken = d
		}
	}
	require.NotNil(t, broken.Source, "the broken line is indexed: %v", docs)
	assert.Equal(t, jobTrace, field(broken, "trace.id"), "the broken variant's trace_id is read from the end of the line")

	host, ok := messages["Executed 'Functions.create_training_job' (Failed, Id=7d8e9f10-1111-4222-8333-944455566677, Duration=1077ms)"]
	require.True(t, ok, "the host's own line is kept: %v", docs)
	_, hasTrace := esstandin.Field(host.Source, "trace.id")
	assert.False(t, hasTrace, "a line without an ID gets no invented trace")
}
