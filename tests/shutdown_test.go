// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// sendSpans sends n spans of distinct traces to an OTLP/gRPC endpoint and returns their trace IDs.
func sendSpans(t *testing.T, endpoint string, n int, salt byte) []string {
	t.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	td, ids := spansOfDistinctTraces(n, salt)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
	require.NoError(t, err, "spans accepted")
	return ids
}

// spansOfDistinctTraces is one request of n spans, each of its own trace, and their trace IDs.
func spansOfDistinctTraces(n int, salt byte) (ptrace.Traces, []string) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "model-registry")
	var ids []string
	for i := range n {
		s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		id := pcommon.TraceID{salt, byte(i + 1), 0xcd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
		s.SetTraceID(id)
		s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, salt, byte(i + 1)})
		s.SetName("GET /models/{name}")
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Now().Add(time.Millisecond)))
		ids = append(ids, id.String())
	}
	return td, ids
}

func assertTracesInJaeger(t *testing.T, jaeger *processes.Jaeger, ids []string) {
	t.Helper()
	testutil.Eventually(t, 90*time.Second, func() error {
		for _, id := range ids {
			if spans, err := jaeger.Trace(id); err != nil || len(spans) == 0 {
				return fmt.Errorf("trace %s not in Jaeger yet (%v)", id, err)
			}
		}
		return nil
	})
}

// backendCheck reads backend_check's status page: its HTTP status and each backend's state.
func backendCheck(url string) (int, map[string]bool, error) {
	resp, err := http.Get(url) //nolint:noctx // a test's loopback request
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var page struct {
		Backends []struct {
			Name      string `json:"name"`
			Reachable *bool  `json:"reachable"`
		} `json:"backends"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return resp.StatusCode, nil, err
	}
	state := map[string]bool{}
	for _, b := range page.Backends {
		state[b.Name] = b.Reachable != nil && *b.Reachable
	}
	return resp.StatusCode, state, nil
}

// droppingData is what the collector's exporters log when they give data up.
var droppingData = regexp.MustCompile(`(?i)dropping data|dropped_items`)

// The shipped gateway, started with Elasticsearch and Jaeger down: it starts anyway (health
// green), says which backends it cannot reach (log, metric, status page), acknowledges no log
// and no span while their backend is down (the senders keep them and send them again), says
// when Elasticsearch is back, and on SIGTERM while Jaeger is still down exits within its
// shutdown time; the spans' sender, never told they were kept, delivers them through the
// restarted gateway once Jaeger is up.
func TestGatewayWithBackendsDownSaysSoAndDropsNothingOnSIGTERM(t *testing.T) {
	root := collectortest.RepoRoot(t)
	esAddr, err := processes.FreeAddr()
	require.NoError(t, err)
	jaegerAddr, err := processes.FreeAddr()
	require.NoError(t, err)
	otlpAddr, err := processes.FreeAddr()
	require.NoError(t, err)
	esAttempts, esDown := refuseConnections(t, esAddr)
	jaegerAttempts, jaegerDown := refuseConnections(t, jaegerAddr)
	env := map[string]string{
		"ES_ENDPOINT": "http://" + esAddr, "GATEWAY_OTLP_GRPC_ENDPOINT": otlpAddr,
		"JAEGER_OTLP_ENDPOINT": jaegerAddr, "JAEGER_INSECURE": "true",
	}
	g, err := processes.StartGateway(root, collectortest.Binary(t), env)
	require.NoError(t, err, "the gateway starts with nothing but (unreachable) Elasticsearch and Jaeger endpoints")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gateway:\n%s", g.Output())
		}
	})

	testutil.Eventually(t, 30*time.Second, func() error {
		code, state, err := backendCheck(g.BackendCheckURL)
		if err != nil || code != http.StatusServiceUnavailable || state["elasticsearch"] || state["jaeger"] || len(state) != 2 {
			return fmt.Errorf("backend_check: %d %v (%v)", code, state, err)
		}
		return nil
	})
	for _, backend := range []string{"elasticsearch", "jaeger"} {
		reachable, err := processes.MetricSum(g.TelemetryURL, "otelcol_extension_backend_check_reachable", `backend="`+backend+`"`)
		require.NoError(t, err)
		assert.Zero(t, reachable, backend)
		assert.Regexp(t, `backend unreachable.*"backend": "`+backend+`"`, g.Output(), "a warning names %s", backend)
	}

	const n = 500
	var es atomic.Pointer[esstandin.Server] // nil while Elasticsearch is down: nothing is indexed
	indexedNow := func() map[int]int {
		if up := es.Load(); up != nil {
			return indexed(up)
		}
		return map[int]int{}
	}
	logsSent := make(chan struct{})
	go func() {
		defer close(logsSent)
		sendConcurrently(t, g.OTLPGRPC, indexedNow, n, 2)
	}()
	td, traces := spansOfDistinctTraces(5, 0x51)
	spansAccepted := make(chan time.Time, 1)
	go func() { spansAccepted <- sendSpansUntilAccepted(t, otlpAddr, td) }()
	testutil.Eventually(t, 60*time.Second, func() error {
		if esAttempts() < 2 || jaegerAttempts() < 2 {
			return fmt.Errorf("connections attempted: Elasticsearch %d, Jaeger %d", esAttempts(), jaegerAttempts())
		}
		return nil
	})

	esDown()
	up, err := esstandin.StartShipped(esAddr, filepath.Join(root, "configs", "elasticsearch"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = up.Close() })
	es.Store(up)
	<-logsSent
	assertAllIndexed(t, up, n, 120*time.Second)
	testutil.Eventually(t, 30*time.Second, func() error {
		if !regexp.MustCompile(`backend reachable again.*"backend": "elasticsearch"`).MatchString(g.Output()) {
			return fmt.Errorf("no line says Elasticsearch is back")
		}
		return nil
	})

	require.NoError(t, g.Stop(30*time.Second), "SIGTERM with Jaeger down: exit within 30 s")
	select {
	case <-spansAccepted:
		t.Fatal("spans acknowledged while Jaeger was down")
	default:
	}

	jaegerDown()
	jaegerUp := time.Now()
	jaeger, err := processes.StartJaegerAt(root, jaegerAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })
	startGatewayLogged(t, env)
	assert.True(t, (<-spansAccepted).After(jaegerUp), "the spans' sender was answered only once Jaeger took them")
	assertTracesInJaeger(t, jaeger, traces)
}

// The shipped agent on SIGTERM while the gateways are down: no "Dropping data" for what its
// persistent queues keep, and the restarted agent delivers every line and span.
func TestSidecarSIGTERMWithGatewaysDownDropsNothingItSays(t *testing.T) {
	root := collectortest.RepoRoot(t)
	gatewayAddr, logDir, stateDir, logFile := sidecarSetup(t)
	attempts, down := refuseConnections(t, gatewayAddr)
	const n = 300
	for i := range n {
		_, err := fmt.Fprintf(logFile, `{"timestamp": "2026-11-21T10:00:00Z", "level": "INFO", "seq": %d, "trace_id": "job-%d", "message": "line %d"}`+"\n", i, i%37, i)
		require.NoError(t, err)
	}
	sidecar := startTestSidecar(t, logDir, stateDir, []string{gatewayAddr}, nil)
	traces := sendSpans(t, sidecar.OTLPGRPC, 5, 0x52)
	testutil.Eventually(t, 60*time.Second, func() error {
		read, err := processes.MetricSum(sidecar.TelemetryURL, "otelcol_receiver_accepted_log_records", `receiver="filelog"`)
		if err != nil || read < n || attempts() < 3 {
			return fmt.Errorf("%v lines read (%v), %d connections to the gateway attempted", read, err, attempts())
		}
		return nil
	})
	testutil.Eventually(t, 30*time.Second, func() error {
		code, state, err := backendCheck(sidecar.BackendCheckURL)
		if err != nil || code != http.StatusServiceUnavailable || state["gateways"] {
			return fmt.Errorf("backend_check: %d %v (%v)", code, state, err)
		}
		return nil
	})
	require.NoError(t, sidecar.Stop(30*time.Second), "SIGTERM with the gateways down")
	assert.NotRegexp(t, droppingData, sidecar.Output(), "the persistent queues keep what is in flight; nothing was dropped")

	down()
	es := startStandin(t)
	jaeger, err := processes.StartJaeger(root)
	require.NoError(t, err)
	t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })
	sidecar = startTestSidecar(t, logDir, stateDir, []string{gatewayAddr}, nil)
	stopOnCleanup(t, sidecar)
	g := startFaultGatewayWith(t, es, map[string]string{"GATEWAY_OTLP_GRPC_ENDPOINT": gatewayAddr, "JAEGER_OTLP_ENDPOINT": jaeger.OTLPGRPC})
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	assertAllIndexed(t, es, n, 120*time.Second)
	assertTracesInJaeger(t, jaeger, traces)
}
