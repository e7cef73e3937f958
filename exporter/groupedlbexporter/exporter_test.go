// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"context"
	"errors"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/loadbalancingexporter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

// gateway is an OTLP/gRPC server that records what it receives, and can refuse it.
type gateway struct {
	plogotlp.UnimplementedGRPCServer
	addr   string
	mu     sync.Mutex
	logs   []plog.Logs
	traces []pcommon.TraceID
	refuse bool
}

func startGateway(t *testing.T) *gateway {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := &gateway{addr: l.Addr().String()}
	srv := grpc.NewServer()
	plogotlp.RegisterGRPCServer(srv, g)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return g
}

func (g *gateway) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refuse {
		return plogotlp.NewExportResponse(), status.Error(codes.Unavailable, "refused")
	}
	ld := plog.NewLogs()
	req.Logs().CopyTo(ld)
	g.logs = append(g.logs, ld)
	return plogotlp.NewExportResponse(), nil
}

func (g *gateway) traceIDs() map[pcommon.TraceID]bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[pcommon.TraceID]bool{}
	for _, tid := range g.traces {
		out[tid] = true
	}
	return out
}

func (g *gateway) requests() []plog.Logs {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]plog.Logs(nil), g.logs...)
}

func traceID(i int) pcommon.TraceID {
	return pcommon.TraceID{byte(i), byte(i >> 8), 0xab, 0xcd, byte(i * 7), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, byte(i * 13)}
}

// batch is n records of traces distinct trace IDs (records i and i+traces share one), over two
// resources, plus untraced records without a trace ID.
func batch(n, traces, untraced int) plog.Logs {
	ld := plog.NewLogs()
	for r := range 2 {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", []string{"ml-worker", "api"}[r])
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("filelog")
		for i := r; i < n; i += 2 {
			rec := sl.LogRecords().AppendEmpty()
			rec.SetTraceID(traceID(i % traces))
			rec.Attributes().PutInt("i", int64(i))
		}
		for range untraced / 2 {
			sl.LogRecords().AppendEmpty().Body().SetStr("untraced")
		}
	}
	return ld
}

func newTestExporter(t *testing.T, endpoints ...string) (*groupedExporter, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.Protocol.OTLP.ClientConfig.TLS.Insecure = true
	// Longer than any wait in these tests: a send ends because its gateway answered.
	cfg.Protocol.OTLP.TimeoutConfig.Timeout = time.Minute
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"resolver": map[string]any{"static": map[string]any{"hostnames": endpoints}}}).Unmarshal(cfg))
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := exportertest.NewNopSettings(Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	e, err := newExporter(set, cfg)
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = e.shutdown(context.Background()) })
	return e, tel
}

// A batch of 60 traces over three gateways is three requests, not sixty; every trace's
// records are on one gateway, the one contrib's loadbalancing exporter would pick; resources
// and scopes are kept.
func TestOneRequestPerGatewayPerBatch(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t), startGateway(t)}
	e, tel := newTestExporter(t, gws[0].addr, gws[1].addr, gws[2].addr)
	require.NoError(t, e.pushLogs(context.Background(), batch(300, 60, 10)))

	owner := map[pcommon.TraceID]string{}
	total := 0
	for _, g := range gws {
		reqs := g.requests()
		require.Len(t, reqs, 1, "one request per gateway")
		for _, rl := range reqs[0].ResourceLogs().All() {
			svc, _ := rl.Resource().Attributes().Get("service.name")
			assert.Contains(t, []string{"ml-worker", "api"}, svc.Str())
			assert.Equal(t, "filelog", rl.ScopeLogs().At(0).Scope().Name())
			for _, sl := range rl.ScopeLogs().All() {
				for _, rec := range sl.LogRecords().All() {
					total++
					if tid := rec.TraceID(); !tid.IsEmpty() {
						if prev, seen := owner[tid]; seen {
							assert.Equal(t, prev, g.addr, "a trace split over gateways")
						}
						owner[tid] = g.addr
					}
				}
			}
		}
	}
	assert.Equal(t, 310, total)
	r := newRing([]string{gws[0].addr, gws[1].addr, gws[2].addr})
	for tid, addr := range owner {
		assert.Equal(t, r.endpointFor(tid[:]), addr)
	}
	var requests int64
	for _, g := range gws {
		requests += testutil.Counter(t, tel, "otelcol_exporter_grouped_loadbalancing_backend_requests", map[string]string{"endpoint": g.addr, "outcome": "success"})
	}
	assert.Equal(t, int64(3), requests)
}

// The ring is contrib loadbalancing's: spans sent through the loadbalancing exporter land on
// the gateway this exporter sends the same trace's logs to.
func TestRingMatchesContribLoadbalancing(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t), startGateway(t)}
	for _, g := range gws {
		g := g
		srv := grpc.NewServer()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ptraceotlp.RegisterGRPCServer(srv, &recordingTraces{g: g})
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(srv.Stop)
		g.addr = l.Addr().String()
	}
	f := loadbalancingexporter.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"routing_key": "traceID",
		"protocol":    map[string]any{"otlp": map[string]any{"tls": map[string]any{"insecure": true}, "sending_queue": map[string]any{"enabled": false}}},
		"resolver":    map[string]any{"static": map[string]any{"hostnames": []any{gws[0].addr, gws[1].addr, gws[2].addr}}},
	}).Unmarshal(cfg))
	exp, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(component.MustNewType("loadbalancing")), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i := range 200 {
		s := spans.AppendEmpty()
		s.SetTraceID(traceID(i))
		s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	}
	require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	require.NoError(t, exp.Shutdown(context.Background()))
	r := newRing([]string{gws[2].addr, gws[0].addr, gws[1].addr}) // order does not matter
	seen := 0
	for _, g := range gws {
		for tid := range g.traceIDs() {
			seen++
			assert.Equal(t, g.addr, r.endpointFor(tid[:]), "trace %x", tid)
		}
	}
	assert.Equal(t, 200, seen)
}

type recordingTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	g *gateway
}

func (r *recordingTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	for _, rs := range req.Traces().ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				r.g.traces = append(r.g.traces, s.TraceID())
			}
		}
	}
	return ptraceotlp.NewExportResponse(), nil
}

// A gateway that refuses: the error carries only its records, for the queue to retry; the
// others' records are delivered once.
func TestPartialFailureRetriesOnlyTheRefusingGateway(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t)}
	gws[1].refuse = true
	e, _ := newTestExporter(t, gws[0].addr, gws[1].addr)
	err := e.pushLogs(context.Background(), batch(100, 40, 0))
	require.Error(t, err)
	var partial consumererror.Logs
	require.True(t, errors.As(err, &partial), "a partial error: %v", err)
	delivered := gws[0].requests()[0].LogRecordCount()
	assert.Equal(t, 100, delivered+partial.Data().LogRecordCount())
	r := newRing([]string{gws[0].addr, gws[1].addr})
	for _, rl := range partial.Data().ResourceLogs().All() {
		for _, rec := range rl.ScopeLogs().At(0).LogRecords().All() {
			tid := rec.TraceID()
			assert.Equal(t, gws[1].addr, r.endpointFor(tid[:]))
		}
	}
	gws[1].refuse = false
	gws[0].refuse = true
	require.Error(t, e.pushLogs(context.Background(), batch(100, 40, 0)), "the other gateway refusing")
}

// Every gateway refuses a batch that was split between them: the records were moved into the
// per-gateway requests, so the error must carry them all. Retrying the batch that was passed
// in would send records emptied by the split.
func TestAllGatewaysRefusingReturnsEveryRecord(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t)}
	gws[0].refuse, gws[1].refuse = true, true
	e, _ := newTestExporter(t, gws[0].addr, gws[1].addr)
	ld := batch(100, 40, 0)
	err := e.pushLogs(context.Background(), ld)
	require.Error(t, err)

	// What exporterhelper's retry and queue do with the error: resend its data, or the batch.
	retry := ld
	var partial consumererror.Logs
	if errors.As(err, &partial) {
		retry = partial.Data()
	}
	gws[0].refuse, gws[1].refuse = false, false
	require.NoError(t, e.pushLogs(context.Background(), retry))
	seen := map[int64]bool{}
	for _, g := range gws {
		for _, req := range g.requests() {
			for _, rl := range req.ResourceLogs().All() {
				for _, rec := range rl.ScopeLogs().At(0).LogRecords().All() {
					if i, ok := rec.Attributes().Get("i"); ok && !rec.TraceID().IsEmpty() {
						seen[i.Int()] = true
					}
				}
			}
		}
	}
	assert.Len(t, seen, 100, "records delivered whole after the retry")
}

// The DNS resolver follows the Service: a new gateway joins the ring, a gone one is shut
// down; a failed lookup keeps the last set.
func TestDNSResolverFollowsTheService(t *testing.T) {
	gws := []*gateway{startGateway(t)}
	// The resolver's answers are addresses on one port: 127.0.0.1 is the gateway listening
	// there; 127.0.0.2 (another loopback address) is a second gateway's address to the ring.
	_, port, _ := net.SplitHostPort(gws[0].addr)
	cfg := createDefaultConfig()
	cfg.Protocol.OTLP.ClientConfig.TLS.Insecure = true
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"resolver": map[string]any{"dns": map[string]any{"hostname": "gateways", "port": port, "interval": "20ms"}}}).Unmarshal(cfg))
	e, err := newExporter(exportertest.NewNopSettings(Type), cfg)
	require.NoError(t, err)
	var mu sync.Mutex
	answer := []string{"127.0.0.1"}
	var fail bool
	failedLookups := 0
	e.lookup = func(_ context.Context, host string) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, "gateways", host)
		if fail {
			failedLookups++
			return nil, errors.New("SERVFAIL")
		}
		return append([]string(nil), answer...), nil
	}
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
	defer func() { _ = e.shutdown(context.Background()) }()
	assert.Equal(t, []string{"127.0.0.1:" + port}, e.endpointsOf())
	require.NoError(t, e.pushLogs(context.Background(), batch(10, 5, 0)))
	assert.Len(t, gws[0].requests(), 1)

	mu.Lock()
	answer = []string{"127.0.0.1", "127.0.0.2"}
	mu.Unlock()
	require.Eventually(t, func() bool { return len(e.endpointsOf()) == 2 }, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	fail = true
	mu.Unlock()
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return failedLookups >= 3 }, 5*time.Second, 10*time.Millisecond,
		"lookups keep running and failing")
	assert.Len(t, e.endpointsOf(), 2, "failed lookups keep the last set")
	mu.Lock()
	fail, answer = false, []string{"127.0.0.1"}
	mu.Unlock()
	require.Eventually(t, func() bool { return len(e.endpointsOf()) == 1 }, 5*time.Second, 10*time.Millisecond)
	e.mu.RLock()
	assert.Len(t, e.backends, 1, "the gone gateway's exporter is shut down and forgotten")
	e.mu.RUnlock()
}

// Shutdown without Start, and twice, is harmless (what the collector's lifecycle allows).
func TestLifecycle(t *testing.T) {
	e, err := newExporter(exportertest.NewNopSettings(Type), createDefaultConfig())
	require.NoError(t, err)
	require.NoError(t, e.shutdown(context.Background()))
	require.NoError(t, e.shutdown(context.Background()))
	require.Error(t, e.pushLogs(context.Background(), batch(2, 1, 0)), "no gateway resolved: an error, not a panic")
}

// Records without a trace ID are spread over the gateways in turn across batches, not only
// within one: thirty one-record batches over three gateways are ten on each.
func TestUntracedRecordsSpreadAcrossBatches(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t), startGateway(t)}
	e, _ := newTestExporter(t, gws[0].addr, gws[1].addr, gws[2].addr)
	for range 30 {
		ld := plog.NewLogs()
		ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("untraced")
		require.NoError(t, e.pushLogs(context.Background(), ld))
	}
	for _, g := range gws {
		assert.Len(t, g.requests(), 10, "gateway %s", g.addr)
	}
}

// blockingGateway holds every request until released.
type blockingGateway struct {
	*gateway
	entered  chan struct{}
	release  chan struct{}
	released sync.Once
}

func (b *blockingGateway) releaseAll() { b.released.Do(func() { close(b.release) }) }

func (b *blockingGateway) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.gateway.Export(ctx, req)
}

func startBlockingGateway(t *testing.T) *blockingGateway {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &blockingGateway{gateway: &gateway{addr: l.Addr().String()}, entered: make(chan struct{}, 16), release: make(chan struct{})}
	srv := grpc.NewServer()
	plogotlp.RegisterGRPCServer(srv, b)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	t.Cleanup(b.releaseAll)
	return b
}

// A send in progress does not hold back a change of the gateway set, nor sends to other
// gateways; a gateway removed while a send to it is in progress is shut down only after it.
func TestResolverUpdateDoesNotWaitForSends(t *testing.T) {
	slow, fast := startBlockingGateway(t), startGateway(t)
	e, _ := newTestExporter(t, slow.addr)
	sent := make(chan error, 1)
	go func() { sent <- e.pushLogs(context.Background(), batch(4, 2, 0)) }()
	<-slow.entered // the send to the slow gateway is in progress

	updated := make(chan error, 1)
	go func() { updated <- e.update(context.Background(), []string{fast.addr}) }()
	select {
	case err := <-updated:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the update waited for a send to a gateway")
	}
	assert.Equal(t, []string{fast.addr}, e.endpointsOf())
	pushed := make(chan error, 1)
	go func() { pushed <- e.pushLogs(context.Background(), batch(4, 2, 0)) }()
	select {
	case err := <-pushed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("a send to another gateway waited for the slow one")
	}
	assert.Len(t, fast.requests(), 1)

	slow.releaseAll()
	require.NoError(t, <-sent, "the send in progress completes on its (removed) gateway")
	assert.Len(t, slow.requests(), 1)
}

// fakeOTLP stands in for the OTLP exporter factory: it fails to create an exporter for one
// endpoint and tracks which exporters were started and shut down.
type fakeOTLP struct {
	exporter.Factory
	failFor string
	mu      sync.Mutex
	running map[string]int
}

func newFakeOTLP(failFor string) *fakeOTLP {
	f := &fakeOTLP{failFor: failFor, running: map[string]int{}}
	real := otlpexporter.NewFactory()
	f.Factory = exporter.NewFactory(real.Type(), real.CreateDefaultConfig, exporter.WithLogs(f.create, component.StabilityLevelStable))
	return f
}

func (f *fakeOTLP) create(_ context.Context, _ exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	ep := cfg.(*otlpexporter.Config).ClientConfig.Endpoint
	if ep == f.failFor {
		return nil, errors.New("cannot create")
	}
	return &fakeExporter{f: f, ep: ep}, nil
}

type fakeExporter struct {
	component.StartFunc
	f  *fakeOTLP
	ep string
}

func (x *fakeExporter) Start(context.Context, component.Host) error {
	x.f.mu.Lock()
	defer x.f.mu.Unlock()
	x.f.running[x.ep]++
	return nil
}

func (x *fakeExporter) Shutdown(context.Context) error {
	x.f.mu.Lock()
	defer x.f.mu.Unlock()
	x.f.running[x.ep]--
	return nil
}

func (*fakeExporter) Capabilities() consumer.Capabilities          { return consumer.Capabilities{} }
func (*fakeExporter) ConsumeLogs(context.Context, plog.Logs) error { return nil }

func (f *fakeOTLP) runningEndpoints() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for ep, n := range f.running {
		if n > 0 {
			out = append(out, ep)
		}
	}
	sort.Strings(out)
	return out
}

// An update that fails part way (a gateway's exporter cannot be created) leaves the previous
// set in place and shuts down every exporter it had created for the new one.
func TestFailedUpdateShutsDownWhatItCreated(t *testing.T) {
	f := newFakeOTLP("10.0.0.3:4317")
	e, err := newExporter(exportertest.NewNopSettings(Type), createDefaultConfig())
	require.NoError(t, err)
	e.otlp = f
	e.host = componenttest.NewNopHost()
	require.NoError(t, e.update(context.Background(), []string{"10.0.0.9:4317"}))
	require.Error(t, e.update(context.Background(), []string{"10.0.0.1:4317", "10.0.0.2:4317", "10.0.0.3:4317", "10.0.0.9:4317"}))
	assert.Equal(t, []string{"10.0.0.9:4317"}, e.endpointsOf(), "the previous set stays")
	assert.Equal(t, []string{"10.0.0.9:4317"}, f.runningEndpoints(), "exporters created for the failed update are shut down")
	require.NoError(t, e.shutdown(context.Background()))
	assert.Empty(t, f.runningEndpoints())
}
