// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// outage is the sequence of failures Elasticsearch goes through: throttling, then errors,
// then a dead network, then recovery.
func outage(es *esstandin.Server, phase time.Duration) {
	es.Inject(esstandin.Fault{Count: -1, Status: 429})
	time.Sleep(phase)
	es.ClearFaults()
	es.Inject(esstandin.Fault{Count: -1, Status: 503})
	time.Sleep(phase)
	es.ClearFaults()
	es.Inject(esstandin.Fault{Count: -1, Drop: true})
}

// startStandin starts the Elasticsearch stand-in with the shipped ILM policy and index
// template installed (as make es-setup installs them), closed when the test ends; whatever
// the gateway sends is parsed against the shipped mappings.
func startStandin(t *testing.T) *esstandin.Server {
	t.Helper()
	es, err := esstandin.StartShipped("127.0.0.1:0", filepath.Join(collectortest.RepoRoot(t), "configs", "elasticsearch"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = es.Close() })
	return es
}

// startTestSidecar starts configs/sidecar.yaml tailing logDir/*.log and shipping to the
// gateways at gatewayAddrs, with its state in stateDir; on failure its output is logged.
func startTestSidecar(t *testing.T, logDir, stateDir string, gatewayAddrs []string, extra map[string]string) *processes.Sidecar {
	t.Helper()
	env := map[string]string{
		"SIDECAR_LOG_PATHS": "[" + filepath.Join(logDir, "*.log") + "]", "GATEWAY_ENDPOINTS": "[" + strings.Join(gatewayAddrs, ", ") + "]",
		"GATEWAY_INSECURE": "true", "OTELCOL_MLOPS_DATA_DIR": stateDir,
	}
	for k, v := range extra {
		env[k] = v
	}
	sc, err := processes.StartSidecar(collectortest.RepoRoot(t), collectortest.Binary(t), env)
	require.NoError(t, err)
	return sc
}

// stopOnCleanup stops a sidecar when the test ends and logs its output if the test failed.
func stopOnCleanup(t *testing.T, sc *processes.Sidecar) {
	t.Cleanup(func() {
		if err := sc.Stop(20 * time.Second); err != nil || t.Failed() {
			t.Logf("sidecar: %v\n%s", err, sc.Output())
		}
	})
}

func startFaultGateway(t *testing.T, es *esstandin.Server) *processes.Gateway {
	t.Helper()
	return startFaultGatewayWith(t, es, nil)
}

// startFaultGatewayWith starts the gateway with extra environment (e.g. a fixed OTLP address).
func startFaultGatewayWith(t *testing.T, es *esstandin.Server, extra map[string]string) *processes.Gateway {
	t.Helper()
	env := map[string]string{
		"ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": "127.0.0.1:1", "JAEGER_INSECURE": "true",
	}
	for k, v := range extra {
		env[k] = v
	}
	g, err := processes.StartGateway(collectortest.RepoRoot(t), collectortest.Binary(t), env)
	require.NoError(t, err)
	return g
}

// indexed returns how often each sequence number was indexed.
func indexed(es *esstandin.Server) map[int]int {
	seen := map[int]int{}
	for _, d := range es.Docs() {
		if v, ok := esstandin.Field(d.Source, "seq"); ok {
			// OTLP senders write ints; filelog's JSON parser reads every number as a double.
			f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
			if err == nil {
				seen[int(f)]++
			}
		}
	}
	return seen
}

func assertAllIndexed(t *testing.T, es *esstandin.Server, n int, within time.Duration) {
	t.Helper()
	testutil.Eventually(t, within, func() error {
		seen := indexed(es)
		if len(seen) < n {
			return fmt.Errorf("%d of %d logs indexed", len(seen), n)
		}
		return nil
	})
	seen := indexed(es)
	dups := 0
	for i := range n {
		assert.Positive(t, seen[i], "log %d lost", i)
		dups += max(seen[i]-1, 0)
	}
	requests, rejected := es.Stats()
	t.Logf("all %d logs indexed; %d duplicates indexed, %d refused as duplicates by document ID; stand-in saw %d bulk requests, %d failed by injection",
		n, dups, es.Conflicts(), requests, rejected)
}

// duplicatesIndexed counts documents indexed more than once among 0..n-1.
func duplicatesIndexed(es *esstandin.Server, n int) int {
	dups := 0
	for seq, count := range indexed(es) {
		if seq < n {
			dups += max(count-1, 0)
		}
	}
	return dups
}

// writeWorkerLog writes n numbered JSON lines, a worker's, to dir/worker.log.
func writeWorkerLog(t *testing.T, dir string, n int) {
	t.Helper()
	var lines strings.Builder
	for i := range n {
		fmt.Fprintf(&lines, `{"timestamp": "2026-11-21T10:00:00Z", "level": "INFO", "seq": %d, "trace_id": "job-%d", "message": "line %d"}`+"\n", i, i, i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "worker.log"), []byte(lines.String()), 0o600))
}

// numberedLogs is one request of logs numbered from..to-1, shaped like a worker's JSON lines.
func numberedLogs(from, to int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "ml-worker")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := from; i < to; i++ {
		rec := recs.AppendEmpty()
		rec.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		rec.Body().SetStr(fmt.Sprintf(`{"level": "INFO", "seq": %d, "trace_id": "job-%d", "message": "line %d"}`, i, i, i))
	}
	return ld
}

// sendUntilAccepted sends logs numbered from..to-1 in requests of 100 the way an SDK or an
// agent does: each request again, after a back-off, until the gateway accepts it (each
// attempt times out after 5 s, an OTLP exporter's default). Right after each acceptance it
// checks the gateway's promise: the request's logs are already indexed. It returns the number
// of attempts.
func sendUntilAccepted(t *testing.T, endpoint string, indexedNow func() map[int]int, from, to int) int {
	t.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	client := plogotlp.NewGRPCClient(conn)
	attempts := 0
	for start := from; start < to; start += 100 {
		end := min(start+100, to)
		n, accepted := exportUntilAccepted(client, numberedLogs(start, end), nil)
		attempts += n
		if !accepted {
			t.Errorf("logs %d..%d still refused after 3 minutes", start, end-1)
			return attempts
		}
		seen := indexedNow()
		for i := start; i < end; i++ {
			if seen[i] == 0 {
				t.Errorf("log %d acknowledged before Elasticsearch had it", i)
			}
		}
	}
	return attempts
}

// untilAccepted retries export as an SDK or an agent does: again after a back-off (200 ms
// doubling to 2 s) until the gateway accepts, each attempt timing out after 5 s (an OTLP
// exporter's default), for at most 3 minutes. It returns the attempts it took, and counts
// each as it starts in attempted (when not nil).
func untilAccepted(export func(context.Context) error, attempted *atomic.Int64) (attempts int, accepted bool) {
	giveUp := time.Now().Add(3 * time.Minute)
	for backoff := 200 * time.Millisecond; ; backoff = min(2*backoff, 2*time.Second) {
		attempts++
		if attempted != nil {
			attempted.Add(1)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := export(ctx)
		cancel()
		if err == nil {
			return attempts, true
		}
		if time.Now().After(giveUp) {
			return attempts, false
		}
		time.Sleep(backoff)
	}
}

// exportUntilAccepted sends ld with untilAccepted's retries.
func exportUntilAccepted(client plogotlp.GRPCClient, ld plog.Logs, attempted *atomic.Int64) (attempts int, accepted bool) {
	req := plogotlp.NewExportRequestFromLogs(ld)
	return untilAccepted(func(ctx context.Context) error {
		_, err := client.Export(ctx, req)
		return err
	}, attempted)
}

// sendConcurrently runs senders senders over 0..n-1 with sendUntilAccepted and returns when
// all are done, with their attempts in total.
func sendConcurrently(t *testing.T, endpoint string, indexedNow func() map[int]int, n, senders int) int {
	t.Helper()
	var wg sync.WaitGroup
	var attempts atomic.Int64
	per := n / senders
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attempts.Add(int64(sendUntilAccepted(t, endpoint, indexedNow, i*per, min((i+1)*per, n))))
		}()
	}
	wg.Wait()
	return int(attempts.Load())
}

// Elasticsearch throttles, fails, then drops connections while four senders send: the gateway
// acknowledges nothing until Elasticsearch indexed it, the senders keep what is refused and
// send it again, and when Elasticsearch recovers every log is indexed.
func TestNoLossThroughElasticsearchOutage(t *testing.T) {
	es := startStandin(t)
	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })

	const n = 3000
	outageOver := make(chan struct{})
	go func() { outage(es, 4*time.Second); close(outageOver) }()
	sent := make(chan int)
	go func() { sent <- sendConcurrently(t, g.OTLPGRPC, func() map[int]int { return indexed(es) }, n, 4) }()
	<-outageOver
	_, before := es.Stats()
	testutil.Eventually(t, 60*time.Second, func() error { // connections dropped, and retried, for a while
		if _, rejected := es.Stats(); rejected < before+3 {
			return fmt.Errorf("%d deliveries attempted into the dropped connections", rejected-before)
		}
		return nil
	})
	assert.Empty(t, indexed(es), "nothing can be indexed during the outage")
	es.ClearFaults()
	attempts := <-sent
	assertAllIndexed(t, es, n, 120*time.Second)
	t.Logf("%d requests of 100 logs took %d attempts", n/100, attempts)
	assert.Greater(t, attempts, n/100, "the outage made the senders send again")
}

// Elasticsearch answers 200 but refuses every document with 429 (its write thread pool is
// full: es_rejected_execution_exception) for three _bulk requests: the exporter sends the
// refused documents again, and no sender is acknowledged before its logs are indexed.
func TestDocumentThrottlingRetriedBeforeTheAcknowledgement(t *testing.T) {
	es := startStandin(t)
	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	es.Inject(esstandin.Fault{Count: 3, ItemStatus: 429})
	const n = 1000
	attempts := sendConcurrently(t, g.OTLPGRPC, func() map[int]int { return indexed(es) }, n, 2)
	assertAllIndexed(t, es, n, 30*time.Second)
	_, rejected := es.Stats()
	assert.GreaterOrEqual(t, rejected, 3, "the stand-in refused the documents of three requests")
	t.Logf("%d requests of 100 logs took %d attempts", n/100, attempts)
}

// Elasticsearch refuses while a model server's inference records arrive, so every request is
// sent several times: the ML metrics the gateway derives count each record once, when
// Elasticsearch took it, not once per attempt (configs/gateway.yaml's in_order).
func TestResentLogsCountedOnceInMetrics(t *testing.T) {
	es := startStandin(t)
	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	conn, err := grpc.NewClient(g.OTLPGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := plogotlp.NewGRPCClient(conn)

	const requests, perRequest = 5, 20
	es.Inject(esstandin.Fault{Count: -1, Status: 503})
	var attempts atomic.Int64
	var wg sync.WaitGroup
	for r := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ld := plog.NewLogs()
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", "recommendation-model-prod")
			recs := rl.ScopeLogs().AppendEmpty().LogRecords()
			for i := range perRequest {
				recs.AppendEmpty().Body().SetStr(fmt.Sprintf(`{"timestamp": %q, "log_level": "INFO", "event_type": "inference_complete", "seq": %d, "trace_id": "job-%d-%d", `+
					`"model_metadata": {"model_name": "resend-once", "model_version": "3.2.1", "serving_variant": "prod"}, "inference_metrics": {"latency_ms": 87}}`,
					time.Now().UTC().Format(time.RFC3339Nano), r*perRequest+i, r, i))
			}
			_, accepted := exportUntilAccepted(client, ld, &attempts)
			assert.True(t, accepted, "request %d accepted in the end", r)
		}()
	}
	testutil.Eventually(t, 60*time.Second, func() error { // every request refused at least once
		if n := attempts.Load(); n < 2*requests {
			return fmt.Errorf("%d attempts so far", n)
		}
		return nil
	})
	es.ClearFaults()
	wg.Wait()
	assertAllIndexed(t, es, requests*perRequest, 60*time.Second)
	t.Logf("%d requests took %d attempts", requests, attempts.Load())

	count := func() (float64, error) {
		return processes.MetricSum(g.PrometheusURL, "ml_inference_latency_milliseconds_count", `model_name="resend-once"`)
	}
	testutil.Eventually(t, 60*time.Second, func() error { // ml_metrics flushes every 10 s
		if n, err := count(); err != nil || n < requests*perRequest {
			return fmt.Errorf("%v inference records counted (%v)", n, err)
		}
		return nil
	})
	time.Sleep(11 * time.Second) // one more flush: nothing late may add to it
	n, err := count()
	require.NoError(t, err)
	assert.Equal(t, float64(requests*perRequest), n, "each inference record counted once, however often it was sent")
}

// The gateway killed (SIGKILL) in the middle of an Elasticsearch outage, with the shipped
// agent as its sender, and restarted without any state: the agent holds every line the
// gateway did not acknowledge and sends it again.
func TestNoLossAcrossSIGKILLDuringOutage(t *testing.T) {
	es := startStandin(t)
	addr, err := processes.FreeAddr()
	require.NoError(t, err)
	logDir := t.TempDir()
	const n = 2000
	writeWorkerLog(t, logDir, n)

	es.Inject(esstandin.Fault{Count: -1, Status: 503})
	g := startFaultGatewayWith(t, es, map[string]string{"GATEWAY_OTLP_GRPC_ENDPOINT": addr})
	sidecar := startTestSidecar(t, logDir, t.TempDir(), []string{addr}, nil)
	stopOnCleanup(t, sidecar)
	testutil.Eventually(t, 60*time.Second, func() error { // the gateway is trying to index the agent's lines
		if _, rejected := es.Stats(); rejected < 3 {
			return fmt.Errorf("%d bulk requests refused so far", rejected)
		}
		return nil
	})
	g.Kill()
	assert.Empty(t, indexed(es))

	es.ClearFaults()
	es.Inject(esstandin.Fault{Count: -1, Drop: true})
	_, before := es.Stats()
	g2 := startFaultGatewayWith(t, es, map[string]string{"GATEWAY_OTLP_GRPC_ENDPOINT": addr})
	t.Cleanup(func() { _ = g2.Stop(20 * time.Second) })
	testutil.Eventually(t, 60*time.Second, func() error { // the restarted gateway passes the agent's resends into the drop
		if _, rejected := es.Stats(); rejected <= before {
			return errors.New("no delivery attempted yet")
		}
		return nil
	})
	es.ClearFaults()
	assertAllIndexed(t, es, n, 120*time.Second)
}

// sendSpansUntilAccepted sends td with untilAccepted's retries and returns when it was
// accepted.
func sendSpansUntilAccepted(t *testing.T, endpoint string, td ptrace.Traces) time.Time {
	t.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	client := ptraceotlp.NewGRPCClient(conn)
	req := ptraceotlp.NewExportRequestFromTraces(td)
	if _, accepted := untilAccepted(func(ctx context.Context) error {
		_, err := client.Export(ctx, req)
		return err
	}, nil); !accepted {
		t.Errorf("spans still refused after 3 minutes")
	}
	return time.Now()
}

// Jaeger down when spans arrive, up later: the gateway does not acknowledge them while Jaeger
// is down, the sender sends them again, and they reach Jaeger.
func TestSpansDeliveredAfterJaegerComesBack(t *testing.T) {
	root := collectortest.RepoRoot(t)
	es := startStandin(t)
	jaegerAddr, err := processes.FreeAddr()
	require.NoError(t, err)
	jaegerAttempts, jaegerDown := refuseConnections(t, jaegerAddr)
	g := startFaultGatewayWith(t, es, map[string]string{"JAEGER_OTLP_ENDPOINT": jaegerAddr})
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })

	td, traceIDs := spansOfDistinctTraces(20, 0xab)
	accepted := make(chan time.Time, 1)
	go func() { accepted <- sendSpansUntilAccepted(t, g.OTLPGRPC, td) }()
	testutil.Eventually(t, 60*time.Second, func() error { // several failed export attempts
		if n := jaegerAttempts(); n < 3 {
			return fmt.Errorf("%d connections to Jaeger attempted", n)
		}
		return nil
	})
	jaegerDown()
	jaegerUp := time.Now()

	jaeger, err := processes.StartJaegerAt(root, jaegerAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })
	assert.True(t, (<-accepted).After(jaegerUp), "spans acknowledged only once Jaeger took them")
	assertTracesInJaeger(t, jaeger, traceIDs)
}

// hostileCorpus is testdata/hostile plus the records too big to commit.
func hostileCorpus(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(collectortest.RepoRoot(t), "testdata", "hostile", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var corpus []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		corpus = append(corpus, string(raw))
	}
	return append(corpus,
		`{"seq": 3, "deep": `+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)+`}`,
		`{"seq": 4, "big": "`+strings.Repeat("x", 10<<20)+`"}`,
		`{"seq": 8, "trace_id": "`+strings.Repeat("9", 10<<10)+`"}`,
	)
}

// SIGTERM while logs stream in: the gateway exits within its shutdown time — with
// Elasticsearch slow, and with Elasticsearch down (its exporter would retry for minutes;
// OTELCOL_MLOPS_SHUTDOWN_TIMEOUT ends the wait) — and every log it acknowledged is indexed:
// with Elasticsearch slow, before the acknowledgement; with it down, it acknowledges nothing.
func TestSIGTERMUnderLoadLosesNothingAccepted(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fault      esstandin.Fault
		acceptsAny bool
	}{
		{"elasticsearch slow", esstandin.Fault{Count: -1, Delay: time.Second}, true},
		{"elasticsearch down", esstandin.Fault{Count: -1, Status: 503}, false},
	} {
		t.Run(tc.name, func(t *testing.T) { sigtermUnderLoad(t, tc.fault, tc.acceptsAny) })
	}
}

func sigtermUnderLoad(t *testing.T, fault esstandin.Fault, acceptsAny bool) {
	es := startStandin(t)
	t.Setenv("OTELCOL_MLOPS_SHUTDOWN_TIMEOUT", "8s")
	g := startFaultGateway(t, es)
	es.Inject(fault)

	conn, err := grpc.NewClient(g.OTLPGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	client := plogotlp.NewGRPCClient(conn)
	var mu sync.Mutex
	accepted := map[int]bool{}
	stopped := make(chan time.Duration, 1)
	go func() {
		time.Sleep(4 * time.Second)
		start := time.Now()
		_ = g.Stop(60 * time.Second)
		stopped <- time.Since(start)
	}()
	// Eight concurrent senders, as a gateway behind many agents sees: each request waits for
	// its batch.
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !g.Exited() {
				seq := int(next.Add(50)) - 50
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := client.Export(ctx, plogotlp.NewExportRequestFromLogs(numberedLogs(seq, seq+50)))
				cancel()
				if err == nil {
					mu.Lock()
					for i := seq; i < seq+50; i++ {
						accepted[i] = true
					}
					mu.Unlock()
				}
			}
		}()
	}
	took := <-stopped
	wg.Wait()
	t.Logf("SIGTERM to exit: %s; %d logs acknowledged of %d sent", took, len(accepted), next.Load())
	assert.Less(t, took, 15*time.Second, "exit within the shutdown time (8 s deadline)")
	if !acceptsAny {
		assert.Empty(t, accepted, "nothing acknowledged while Elasticsearch refuses everything")
		return
	}
	require.NotEmpty(t, accepted)
	seen := indexed(es)
	missing := 0
	for i := range accepted {
		if seen[i] == 0 {
			missing++
		}
	}
	assert.Zero(t, missing, "acknowledged logs not indexed")
}

// The same corpus as lines of a container log, read by the sidecar (filelog, JSON parsing,
// bridge, ml_schema, redaction) and shipped to a gateway: the sidecar stays healthy and every
// line arrives, parsed or kept as text.
func TestHostileInputThroughTheSidecar(t *testing.T) {
	es := startStandin(t)
	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })

	corpus := hostileCorpus(t)
	logDir := t.TempDir()
	var content strings.Builder
	for _, line := range corpus {
		content.WriteString(line + "\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(logDir, "hostile.log"), []byte(content.String()), 0o600))
	sidecar := startTestSidecar(t, logDir, t.TempDir(), []string{g.OTLPGRPC}, nil)
	stopOnCleanup(t, sidecar)
	testutil.Eventually(t, 60*time.Second, func() error {
		missing := []int{}
		for seq := 0; seq <= 10; seq++ {
			if !hasSeq(es, seq) {
				missing = append(missing, seq)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("lines %v not indexed yet (%d documents: %s)", missing, len(es.Docs()), docSummary(es))
		}
		return nil
	})
	require.NoError(t, sidecar.WaitHTTP(sidecar.HealthURL, 5*time.Second), "the sidecar is still healthy")
}

// The sidecar is killed (SIGKILL) while it reads a growing log file and the gateway is down,
// then restarted on the same data directory; the gateway comes up later. Every line written
// must be indexed: what the sidecar had read is either in its persistent queue or, not yet
// checkpointed, read again.
func TestSidecarSIGKILLWhileGatewayDown(t *testing.T) {
	// As shipped (persistent queue), and with SIDECAR_PERSISTENT_QUEUE=false: filelog's saved
	// offsets and the synchronous path alone.
	t.Run("persistent queue", func(t *testing.T) { sidecarSIGKILLWhileGatewayDown(t, nil) })
	t.Run("filelog offsets only", func(t *testing.T) {
		sidecarSIGKILLWhileGatewayDown(t, map[string]string{"SIDECAR_PERSISTENT_QUEUE": "false"})
	})
}

// sidecarSetup is what a sidecar test needs with the gateway not yet up: its future address,
// a directory with one log file to tail (open for appending), and a state directory.
func sidecarSetup(t *testing.T) (gatewayAddr, logDir, stateDir string, logFile *os.File) {
	t.Helper()
	gatewayAddr, err := processes.FreeAddr()
	require.NoError(t, err)
	logDir, stateDir = t.TempDir(), t.TempDir()
	logFile, err = os.Create(filepath.Join(logDir, "worker.log"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = logFile.Close() })
	return gatewayAddr, logDir, stateDir, logFile
}

func sidecarSIGKILLWhileGatewayDown(t *testing.T, env map[string]string) {
	es := startStandin(t)
	gatewayAddr, logDir, stateDir, logFile := sidecarSetup(t)
	startSidecar := func() *processes.Sidecar { return startTestSidecar(t, logDir, stateDir, []string{gatewayAddr}, env) }

	const n = 3000
	writeLines := func(from, to int) {
		for i := from; i < to; i++ {
			_, err := fmt.Fprintf(logFile, `{"timestamp": "2026-11-21T10:00:00Z", "level": "INFO", "seq": %d, "trace_id": "job-%d", "message": "line %d"}`+"\n", i, i, i)
			require.NoError(t, err)
			if i%100 == 0 {
				time.Sleep(50 * time.Millisecond) // ~2000 lines/s: the kill lands mid-read
			}
		}
	}
	sidecar := startSidecar()
	writeLines(0, n/2)
	sidecar.Kill()
	t.Logf("sidecar killed after %d lines written", n/2)
	writeLines(n/2, n)

	sidecar = startSidecar()
	stopOnCleanup(t, sidecar)
	testutil.Eventually(t, 60*time.Second, func() error { // the restarted sidecar reads and tries to send while the gateway is still down
		failed, err := processes.MetricSum(sidecar.TelemetryURL, "otelcol_exporter_grouped_loadbalancing_backend_requests", `outcome="failure"`)
		if err != nil || failed < 2 {
			return fmt.Errorf("%v sends to the gateway failed so far (%v)", failed, err)
		}
		return nil
	})
	g := startFaultGatewayWith(t, es, map[string]string{"GATEWAY_OTLP_GRPC_ENDPOINT": gatewayAddr})
	t.Cleanup(func() {
		if err := g.Stop(20 * time.Second); err != nil || t.Failed() {
			t.Logf("gateway: %v; %d documents (%s)\n%s", err, len(es.Docs()), docSummary(es), g.Output())
		}
	})
	assertAllIndexed(t, es, n, 120*time.Second)
	// Lines read twice carry the same file and record number, hence the same document ID.
	assert.Zero(t, duplicatesIndexed(es, n), "a line read twice is indexed once")
	for _, d := range es.Docs() {
		assert.Len(t, d.ID, 32, "a deterministic document ID (128-bit hex) from ecs_shape")
	}
}

// Both gateways down while the sidecar reads: each batch is split between them by trace ID,
// both refuse, and the persistent queue retries. When they come up, every line arrives whole.
func TestSidecarBothGatewaysDownThenUp(t *testing.T) {
	es := startStandin(t)
	logDir, stateDir := t.TempDir(), t.TempDir()
	addrs := make([]string, 2)
	for i := range addrs {
		var err error
		addrs[i], err = processes.FreeAddr()
		require.NoError(t, err)
	}
	const n = 2000
	writeWorkerLog(t, logDir, n)
	sidecar := startTestSidecar(t, logDir, stateDir, addrs, nil)
	stopOnCleanup(t, sidecar)
	testutil.Eventually(t, 60*time.Second, func() error {
		failed, err := processes.MetricSum(sidecar.TelemetryURL, "otelcol_exporter_grouped_loadbalancing_backend_requests", `outcome="failure"`)
		if err != nil || failed < 4 {
			return fmt.Errorf("%v sends to the gateways failed so far (%v)", failed, err)
		}
		return nil
	})
	for _, addr := range addrs {
		g := startFaultGatewayWith(t, es, map[string]string{"GATEWAY_OTLP_GRPC_ENDPOINT": addr})
		t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	}
	assertAllIndexed(t, es, n, 120*time.Second)
}

// refuseConnections listens at addr, where a peer will be, and closes every connection at once:
// a peer that is down, but whose clients' attempts can be counted. down stops listening, so
// the real peer can take the address.
func refuseConnections(t *testing.T, addr string) (attempts func() int, down func()) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			_ = c.Close()
		}
	}()
	var once sync.Once
	down = func() { once.Do(func() { _ = l.Close() }) }
	t.Cleanup(down)
	return func() int { return int(n.Load()) }, down
}

func hasSeq(es *esstandin.Server, seq int) bool {
	for _, d := range es.Docs() {
		if v, ok := esstandin.Field(d.Source, "seq"); ok && toFloat(v) == float64(seq) { // filelog parses numbers as doubles
			return true
		}
		if m, ok := esstandin.Field(d.Source, "message"); ok && strings.Contains(fmt.Sprint(m), fmt.Sprintf(`"seq": %d,`, seq)) {
			return true
		}
	}
	return false
}

func docSummary(es *esstandin.Server) string {
	var b strings.Builder
	for _, d := range es.Docs() {
		text := fmt.Sprint(d.Source)
		if len(text) > 300 {
			text = text[:300]
		}
		b.WriteString(d.Index + " " + text + "\n")
	}
	return b.String()
}

// A burst far above what the gateway may hold, sustained while Elasticsearch is slow: 16
// senders each with a ~16 MB request waiting for its _bulk at once. The memory limiter
// refuses data with a retryable error (backpressure), the gateway's anonymous memory (heap,
// stacks) stays under the limit, and it survives. As documented for the gateway, GOMEMLIMIT is
// set below the limiter's limit: the limiter refuses at the pipeline's entrance, after gRPC
// decoded the request, so the Go runtime must collect that garbage early. (Eight such senders
// no longer reach the limit: each waits for Elasticsearch before it sends again.)
func TestMemoryLimiterBackpressure(t *testing.T) {
	es := startStandin(t)
	es.Inject(esstandin.Fault{Count: -1, Delay: 2 * time.Second})
	const limitMiB = 1024
	g := startFaultGatewayWith(t, es, map[string]string{
		"GATEWAY_MEMORY_LIMIT_MIB": strconv.Itoa(limitMiB), "GATEWAY_MEMORY_SPIKE_MIB": "512", "GOMEMLIMIT": "870MiB",
	})
	t.Cleanup(func() { _ = g.Stop(30 * time.Second) })

	big := plog.NewLogs()
	recs := big.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	payload := strings.Repeat("x", 4096)
	for i := range 4000 { // ~16 MB per request
		recs.AppendEmpty().Body().SetStr(fmt.Sprintf(`{"seq": %d, "message": %q}`, i, payload))
	}
	var refused, accepted atomic.Int64
	var wg sync.WaitGroup
	// The burst lasts 15 s, and longer (up to 45 s) until the limiter has refused something: on
	// a slow machine 15 s of sending may not yet reach the limit, which says nothing about it.
	start := time.Now()
	deadline := start.Add(45 * time.Second)
	refusedOrDone := func() bool {
		now := time.Now()
		return now.After(deadline) || (now.Sub(start) > 15*time.Second && refused.Load() > 0)
	}
	var peakAnon atomic.Int64 // anonymous memory: the heap and stacks, not the queue's mapped file
	burstOver := make(chan struct{})
	monitorDone := make(chan struct{})
	go func() {
		defer close(monitorDone)
		for {
			if kb := statusKB(g.Pid(), "RssAnon:"); int64(kb) > peakAnon.Load() {
				peakAnon.Store(int64(kb))
			}
			select {
			case <-burstOver:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := grpc.NewClient(g.OTLPGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
			if err != nil {
				return
			}
			defer func() { _ = conn.Close() }()
			client := plogotlp.NewGRPCClient(conn)
			for !refusedOrDone() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				_, err := client.Export(ctx, plogotlp.NewExportRequestFromLogs(big))
				cancel()
				if err == nil {
					accepted.Add(1)
					continue
				}
				if st, ok := status.FromError(err); ok && (st.Code() == codes.Unavailable || st.Code() == codes.ResourceExhausted) {
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(burstOver)
	<-monitorDone
	t.Logf("burst of %s: %d requests of ~16 MB accepted, %d refused; gateway peak RSS %d MB, peak anonymous RSS %d MB (limit %d MiB)",
		time.Since(start).Round(time.Second), accepted.Load(), refused.Load(), statusKB(g.Pid(), "VmHWM:")/1024, peakAnon.Load()/1024, limitMiB)
	assert.Positive(t, refused.Load(), "the burst is refused with a retryable error")
	assert.Less(t, peakAnon.Load()/1024, int64(limitMiB), "anonymous memory stays under the limit")
	require.NoError(t, g.WaitHTTP(g.HealthURL, 5*time.Second), "the gateway survives")
}

// statusKB reads a kB field of /proc/<pid>/status.
func statusKB(pid int, field string) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb
		}
	}
	return 0
}

// The Pub/Sub tap through the real gateway, killed (SIGKILL) while messages are in flight and
// restarted without any state: every message becomes a receive span in Jaeger (acked only
// once Jaeger accepted its span, so what the kill cut short is delivered again by Pub/Sub),
// each carrying its 100 message attributes, capped as configured.
func TestPubSubTapSurvivesSIGKILL(t *testing.T) {
	root := collectortest.RepoRoot(t)
	jaeger, es, srv, ps := startPeers(t)

	const n = 60
	traces := map[string]string{} // message ID → trace ID (hex)
	for i := range n {
		attrs := map[string]string{"trace_id": fmt.Sprintf("4bf92f35-77b3-4da6-a3ce-%012x", i)}
		for a := range 99 {
			attrs[fmt.Sprintf("attr_%02d", a)] = strings.Repeat("v", 64)
		}
		id, err := ps.Publisher(seedstack.JobsTopic).Publish(context.Background(), &pubsub.Message{Data: []byte(`{"model_name": "m"}`), Attributes: attrs}).Get(context.Background())
		require.NoError(t, err)
		traces[id] = traceHex(attrs["trace_id"])
	}
	dataDir := t.TempDir()
	env := map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": dataDir, "GCP_PROJECT": project, "PUBSUB_ENDPOINT": srv.Addr, "PUBSUB_INSECURE": "true",
		"ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": jaeger.OTLPGRPC, "JAEGER_INSECURE": "true",
	}
	taps := filepath.Join(root, "configs", "gateway-pubsub-taps.yaml")
	g, err := processes.StartGateway(root, collectortest.Binary(t), env, taps)
	require.NoError(t, err)
	testutil.Eventually(t, 30*time.Second, func() error {
		for _, m := range srv.Messages() {
			if m.Acks > 0 {
				return nil
			}
		}
		return fmt.Errorf("no message acked yet")
	})
	g.Kill()
	acked := 0
	for _, m := range srv.Messages() {
		if m.Acks > 0 {
			acked++
		}
	}
	t.Logf("%d of %d tap deliveries acked before SIGKILL", acked, len(srv.Messages()))

	g2, err := processes.StartGateway(root, collectortest.Binary(t), env, taps)
	require.NoError(t, err)
	t.Cleanup(func() { _ = g2.Stop(20 * time.Second) })
	testutil.Eventually(t, 120*time.Second, func() error {
		missing := 0
		for msgID, traceID := range traces {
			if !hasReceiveSpan(jaeger, traceID, msgID) {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d messages have no receive span in Jaeger yet", missing, n)
		}
		return nil
	})
	spans, err := jaeger.Trace(traces[firstKey(traces)])
	require.NoError(t, err)
	for _, s := range spans {
		if s.OperationName == seedstack.JobsTap+" receive" {
			copied := 0
			for _, tag := range s.Tags {
				if strings.HasPrefix(tag.Key, "messaging.gcp_pubsub.message.attribute.") {
					copied++
				}
			}
			assert.Equal(t, 64, copied, "100 attributes capped at attributes.max_count")
		}
	}
}

func hasReceiveSpan(j *processes.Jaeger, traceID, msgID string) bool {
	spans, err := j.Trace(traceID)
	if err != nil {
		return false
	}
	for _, s := range spans {
		if v, ok := s.Tag("messaging.message.id"); ok && v == msgID && s.OperationName == seedstack.JobsTap+" receive" {
			return true
		}
	}
	return false
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

// A graceful stop (SIGTERM, as Kubernetes sends on a rollout) while the gateways are down,
// with the shipped sidecar: what it had read is in its persistent queue, and the restarted
// sidecar delivers all of it once a gateway is up. (With SIDECAR_PERSISTENT_QUEUE=false the
// batch in flight is lost here: filelog drops what its consumer refused at shutdown and saves
// its offset past it; docs/deployment.md.)
func TestSidecarSIGTERMWhileGatewayDown(t *testing.T) {
	es := startStandin(t)
	gatewayAddr, logDir, stateDir, logFile := sidecarSetup(t)
	const n = 1000
	for i := range n {
		_, err := fmt.Fprintf(logFile, `{"timestamp": "2026-11-21T10:00:00Z", "level": "INFO", "seq": %d, "trace_id": "job-%d", "message": "line %d"}`+"\n", i, i%37, i)
		require.NoError(t, err)
	}
	sidecar := startTestSidecar(t, logDir, stateDir, []string{gatewayAddr}, nil)
	testutil.Eventually(t, 60*time.Second, func() error { // it reads everything; nothing can be sent
		read, err := processes.MetricSum(sidecar.TelemetryURL, "otelcol_receiver_accepted_log_records", `receiver="filelog"`)
		if err != nil || read < n {
			return fmt.Errorf("%v lines read (%v)", read, err)
		}
		return nil
	})
	require.NoError(t, sidecar.Stop(20*time.Second), "SIGTERM with the gateways down")
	sidecar = startTestSidecar(t, logDir, stateDir, []string{gatewayAddr}, nil)
	stopOnCleanup(t, sidecar)
	g := startFaultGatewayWith(t, es, map[string]string{"GATEWAY_OTLP_GRPC_ENDPOINT": gatewayAddr})
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	assertAllIndexed(t, es, n, 120*time.Second)
}
