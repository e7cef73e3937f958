// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

const project = "mlops-demo"

// incident is the seed incident against real peers: the gateway binary with
// configs/gateway.yaml, real Jaeger, Google's pstest Pub/Sub, and the Elasticsearch stand-in.
type incident struct {
	jaeger  *processes.Jaeger
	es      *esstandin.Server
	gateway *processes.Gateway
	stack   *seedstack.Stack
}

func startIncident(t *testing.T) *incident {
	t.Helper()
	return startIncidentOn(t, pstestBackend)
}

// Where the tests' Pub/Sub runs: Google's pstest in process, or Google's emulator.
const (
	pstestBackend   = "pstest"
	emulatorBackend = "emulator"
)

func startIncidentOn(t *testing.T, backend string) *incident {
	t.Helper()
	root := collectortest.RepoRoot(t)
	var jaeger *processes.Jaeger
	var es *esstandin.Server
	var pubsubAddr string
	var ps *pubsub.Client
	if backend == emulatorBackend {
		emu, client := startEmulator(t)
		pubsubAddr, ps = emu.Addr, client
		require.NoError(t, seedstack.CreateTopology(context.Background(), ps, project))
		var err error
		jaeger, err = processes.StartJaeger(root)
		require.NoError(t, err)
		t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })
		es = startStandin(t)
	} else {
		var srv *pstest.Server
		jaeger, es, srv, ps = startPeers(t)
		pubsubAddr = srv.Addr
	}

	env := incidentGatewayEnv(t, jaeger, es, pubsubAddr)
	// one GPU worker logs the Cloud Logging way: GKE stdout → Log Router sink → Pub/Sub
	env["CLOUD_LOGGING_SUBSCRIPTION"] = seedstack.CloudLoggingSub
	gateway := startGatewayLogged(t, env, filepath.Join(root, "configs", "gateway-pubsub-taps.yaml"), filepath.Join(root, "configs", "gateway-cloud-logging.yaml"))

	stack, err := seedstack.Start(context.Background(), gateway.OTLPGRPC, ps, project, 2, seedstack.WithCloudLogging())
	require.NoError(t, err)
	t.Cleanup(func() { _ = stack.Stop(context.Background()) })
	return &incident{jaeger: jaeger, es: es, gateway: gateway, stack: stack}
}

// incidentGatewayEnv is the gateway's environment for the incident: its peers and a fresh
// data directory.
func incidentGatewayEnv(t *testing.T, jaeger *processes.Jaeger, es *esstandin.Server, pubsubAddr string) map[string]string {
	return map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(),
		"GCP_PROJECT":            project,
		"PUBSUB_ENDPOINT":        pubsubAddr,
		"PUBSUB_INSECURE":        "true",
		"ES_ENDPOINT":            es.URL(),
		"JAEGER_OTLP_ENDPOINT":   jaeger.OTLPGRPC,
		"JAEGER_INSECURE":        "true",
	}
}

// startGatewayLogged starts configs/gateway.yaml with overlays; its output is logged when the
// test failed or it did not stop cleanly.
func startGatewayLogged(t *testing.T, env map[string]string, overlays ...string) *processes.Gateway {
	t.Helper()
	gateway, err := processes.StartGateway(collectortest.RepoRoot(t), collectortest.Binary(t), env, overlays...)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := gateway.Stop(20 * time.Second); err != nil || t.Failed() {
			t.Logf("gateway: %v\n%s", err, gateway.Output())
		}
	})
	return gateway
}

// startPeers starts what the gateway talks to: real Jaeger, the Elasticsearch stand-in, and
// pstest with the seed's topics and subscriptions (and a client for it).
func startPeers(t *testing.T) (*processes.Jaeger, *esstandin.Server, *pstest.Server, *pubsub.Client) {
	t.Helper()
	jaeger, err := processes.StartJaeger(collectortest.RepoRoot(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })
	es := startStandin(t)
	srv := pstest.NewServer()
	t.Cleanup(func() { _ = srv.Close() })
	ps, err := seedstack.Dial(context.Background(), srv.Addr, project)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ps.Close() })
	require.NoError(t, seedstack.CreateTopology(context.Background(), ps, project))
	return jaeger, es, srv, ps
}

func traceHex(legacy string) string {
	res, _ := legacyid.Default.Map(legacy)
	return hex.EncodeToString(res.TraceID[:])
}

// The seed incident end to end: one search for the UI's ID shows the whole trace in Jaeger,
// every log line in Elasticsearch, and the latency exemplar in Prometheus — with pstest and
// with Google's emulator, which enforces ack deadlines and dead-letter policies as Pub/Sub
// does; on both, the gateway's taps nack nothing and see each message once.
func TestSeedIncidentEndToEnd(t *testing.T) {
	for _, backend := range []string{pstestBackend, emulatorBackend} {
		t.Run(backend, func(t *testing.T) { seedIncidentEndToEnd(t, backend) })
	}
}

func seedIncidentEndToEnd(t *testing.T, backend string) {
	inc := startIncidentOn(t, backend)
	ctx := context.Background()
	failing, err := inc.stack.RunJob(ctx, "fail-me")
	require.NoError(t, err)
	ok, err := inc.stack.RunJob(ctx, "resnet50")
	require.NoError(t, err)
	traceID := traceHex(failing.TraceID)

	// Jaeger: the UI, API and worker as synthesised spans, the instrumented registry, the
	// Pub/Sub hop and its dead letter, under one trace ID.
	var spans []processes.JaegerSpan
	services := map[string]int{}
	testutil.Eventually(t, 90*time.Second, func() error {
		spans, err = inc.jaeger.Trace(traceID)
		if err != nil {
			return err
		}
		services = map[string]int{}
		for _, s := range spans {
			services[s.Service]++
		}
		for _, want := range []string{"nuxt-ui", "azure-function-api", "ml-worker", "model-registry", "gcp-pubsub"} {
			if services[want] == 0 {
				return fmt.Errorf("no %s span yet; have %v", want, services)
			}
		}
		if !hasDeadLetterSpan(spans) {
			return fmt.Errorf("no dead-letter span yet; have %v", services)
		}
		return nil
	})
	byService := map[string]processes.JaegerSpan{}
	for _, s := range spans {
		assert.Equal(t, traceID, s.TraceID)
		if s.Service == "gcp-pubsub" {
			continue // two receive spans (the tap and the dead letter); checked above
		}
		_, seen := byService[s.Service]
		assert.False(t, seen, "one span per service, got a second %s span %s", s.Service, s.OperationName)
		byService[s.Service] = s
	}
	derived := func(service string) string {
		res, _ := legacyid.Default.Map(failing.TraceID)
		id := legacyid.DeriveSpanID(res.TraceID, service)
		return hex.EncodeToString(id[:])
	}
	assert.Equal(t, derived("ml-worker"), byService["ml-worker"].SpanID, "the worker span has the bridge's derived span ID")
	res, _ := legacyid.Default.Map(failing.TraceID)
	receiveID := legacyid.DeriveReceiveSpanID(res.TraceID, seedstack.JobsTap)
	assert.Equal(t, hex.EncodeToString(receiveID[:]), byService["ml-worker"].ParentID(), "queue hop: the worker hangs under the job's receive span")
	jobsReceive := 0
	for _, s := range spans {
		if s.OperationName == seedstack.JobsTap+" receive" && s.SpanID == hex.EncodeToString(receiveID[:]) {
			jobsReceive++
			assert.Equal(t, derived("azure-function-api"), s.ParentID(), "publisher_service: the receive span hangs under the API")
		}
	}
	assert.Equal(t, 1, jobsReceive, "the job's receive span, with the derived span ID, is in Jaeger")
	assert.Equal(t, derived("azure-function-api"), byService["model-registry"].ParentID(), "the propagator hangs the instrumented span under the API")
	if v, _ := byService["ml-worker"].Tag("otel.status_code"); v != "ERROR" {
		t.Errorf("the failing worker span is not an error: %v", byService["ml-worker"].Tags)
	}

	// Elasticsearch: every log line of the job, with the ECS fields Kibana uses.
	testutil.Eventually(t, 60*time.Second, func() error {
		got := docsFor(inc.es, traceID)
		need := map[string]bool{"nuxt-ui": false, "azure-function-api": false, "ml-worker": false, "model-registry": false, "gcp-pubsub": false}
		for _, d := range got {
			svc, _ := esstandin.Field(d.Source, "service.name")
			need[fmt.Sprint(svc)] = true
		}
		for svc, seen := range need {
			if !seen {
				return fmt.Errorf("no %s log indexed under trace.id %s yet (%d docs)", svc, traceID, len(got))
			}
		}
		return nil
	})
	for _, d := range docsFor(inc.es, traceID) {
		for _, f := range []string{"@timestamp", "span.id", "service.name"} {
			_, has := esstandin.Field(d.Source, f)
			assert.True(t, has, "%s missing in %s doc %v", f, d.Index, d.Source)
		}
		assert.True(t, strings.HasPrefix(d.Index, "logs-"), d.Index)
	}
	// The failing job was delivered to both workers: one's lines came over OTLP, the other's
	// through Cloud Logging, and both carry the job's trace.id and the worker's service.name.
	// pstest hands a redelivery to the other subscriber; Google's emulator may give every
	// attempt to the same one, so there each route's lines are checked only when present.
	testutil.Eventually(t, 30*time.Second, func() error {
		routes := map[string]bool{}
		for _, d := range docsFor(inc.es, traceID) {
			if svc, _ := esstandin.Field(d.Source, "service.name"); svc != "ml-worker" {
				continue
			}
			pod, fromCloudLogging := esstandin.Field(d.Source, "k8s.pod.name")
			if fromCloudLogging {
				assert.True(t, strings.HasPrefix(fmt.Sprint(pod), seedstack.CloudLoggingWorker), "pod %v", pod)
			}
			routes[fmt.Sprint(fromCloudLogging)] = true
		}
		if backend == pstestBackend && (!routes["true"] || !routes["false"]) {
			return fmt.Errorf("worker lines by route (Cloud Logging: true, OTLP: false): %v", routes)
		}
		return nil
	})
	errorLogged := false
	for _, d := range docsFor(inc.es, traceID) {
		if lvl, _ := esstandin.Field(d.Source, "log.level"); lvl == "ERROR" {
			errorLogged = true
		}
	}
	assert.True(t, errorLogged, "the worker's failure is indexed with log.level ERROR")

	// The taps saw each message once (a second delivery is a redelivery), the dead-letter tap
	// only the failing job's, and the gateway nacked nothing.
	for sub, want := range map[string]float64{seedstack.JobsTap: 2, seedstack.DeadLetterTap: 1} {
		got, err := processes.MetricSum(inc.gateway.TelemetryURL, "otelcol_receiver_pubsub_trace_received", `subscription="`+sub+`"`)
		require.NoError(t, err)
		assert.InDelta(t, want, got, 0, "deliveries on %s", sub)
	}
	nacked, err := processes.MetricSum(inc.gateway.TelemetryURL, "otelcol_receiver_pubsub_trace_nacked")
	require.NoError(t, err)
	assert.Zero(t, nacked, "messages the gateway nacked")

	// The successful job's inference record: enriched, in the inference data stream.
	okTrace := traceHex(ok.TraceID)
	testutil.Eventually(t, 60*time.Second, func() error {
		for _, d := range docsFor(inc.es, okTrace) {
			if d.Index != "logs-ml.inference-default" {
				continue
			}
			if mean, ok := esstandin.Field(d.Source, "output.mean_confidence"); ok {
				assert.InDelta(t, (0.94+0.87+0.52)/3, toFloat(mean), 1e-9)
				return nil
			}
		}
		return fmt.Errorf("no enriched inference document for %s", okTrace)
	})

	// Prometheus: the latency histogram carries an exemplar pointing at the job's trace.
	testutil.Eventually(t, 60*time.Second, func() error {
		req, _ := http.NewRequest(http.MethodGet, inc.gateway.PrometheusURL, http.NoBody)
		req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), "ml_inference_latency") || !strings.Contains(string(body), `trace_id="`+okTrace+`"`) {
			return fmt.Errorf("no latency exemplar for %s yet", okTrace)
		}
		return nil
	})
}

func hasDeadLetterSpan(spans []processes.JaegerSpan) bool {
	for _, s := range spans {
		if s.OperationName == seedstack.DeadLetterTap+" receive" {
			return true
		}
	}
	return false
}

func docsFor(es *esstandin.Server, traceID string) []esstandin.Doc {
	var out []esstandin.Doc
	for _, d := range es.Docs() {
		if v, ok := esstandin.Field(d.Source, "trace.id"); ok && v == traceID {
			out = append(out, d)
		}
	}
	return out
}

func toFloat(v any) float64 {
	var f float64
	_, _ = fmt.Sscan(fmt.Sprint(v), &f)
	return f
}
