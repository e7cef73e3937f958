// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/xconfmap"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans/internal/metadatatest"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/processor/traceidbridge"
)

const jobUUID = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"

var t0 = time.Date(2024, 5, 14, 10, 3, 21, 0, time.UTC)

type logLine struct {
	service  string
	offsetMS int
	severity plog.SeverityNumber
	body     string
	traceID  string // legacy ID as the service logged it
}

// incidentLogs is seed 000 as the gateway sees it: the UI, the API and a worker logging the
// job's UUID, the worker failing; plus an OTel-instrumented service whose logs carry a real
// trace context (it emits its own spans and must not get a synthesised one).
func incidentLogs() plog.Logs {
	lines := []logLine{
		{"nuxt-ui", 0, plog.SeverityNumberInfo, "[Tracing] Generated Trace ID for URL: /jobs", jobUUID},
		{"azure-function-api", 40, plog.SeverityNumberInfo, "Received request to create training job.", jobUUID},
		{"azure-function-api", 55, plog.SeverityNumberInfo, "Publishing job for model 'fail-me' to Pub/Sub topic 'training-jobs'.", jobUUID},
		{"azure-function-api", 180, plog.SeverityNumberInfo, "Successfully published message with ID: 11000000000001.", jobUUID},
		{"ml-worker", 2300, plog.SeverityNumberInfo, "Received message with ID: 11000000000001", jobUUID},
		{"ml-worker", 2310, plog.SeverityNumberInfo, "Starting processing for model: fail-me", jobUUID},
		{"ml-worker", 17310, plog.SeverityNumberError, "An unexpected error occurred during processing: Simulated model training failure: Invalid dataset.", jobUUID},
		{"ml-worker", 100, plog.SeverityNumberInfo, "Worker 'gpu-worker-7' starting up.", "NO_TRACE_ID"},
	}
	ld := plog.NewLogs()
	byService := map[string]plog.LogRecordSlice{}
	for _, l := range lines {
		recs, ok := byService[l.service]
		if !ok {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", l.service)
			rl.Resource().Attributes().PutStr("host.name", l.service+"-0")
			recs = rl.ScopeLogs().AppendEmpty().LogRecords()
			byService[l.service] = recs
		}
		rec := recs.AppendEmpty()
		rec.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(l.offsetMS) * time.Millisecond)))
		rec.SetSeverityNumber(l.severity)
		rec.SetSeverityText(l.severity.String())
		rec.Body().SetStr(l.body)
		rec.Attributes().PutStr("trace_id", l.traceID)
	}
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "model-server")
	sdk := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	res, _ := legacyid.Default.Map(jobUUID)
	sdk.SetTraceID(res.TraceID)
	sdk.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	sdk.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(3 * time.Second)))
	sdk.Body().SetStr("instrumented service log")
	return ld
}

// bridged runs logs through the real trace_id_bridge, as the gateway pipeline does.
func bridged(t testing.TB, ld plog.Logs) plog.Logs {
	sink := &consumertest.LogsSink{}
	f := traceidbridge.NewFactory()
	p := testutil.StartLogsProcessor(t, f, f.CreateDefaultConfig(), sink)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	return sink.AllLogs()[0]
}

func newTestConnector(t *testing.T, cfg *Config) (*legacySpans, *consumertest.TracesSink, *time.Time) {
	sink := &consumertest.TracesSink{}
	c, err := newConnector(connectortest.NewNopSettings(Type), cfg, sink, newInstrumented(100))
	require.NoError(t, err)
	now := time.Now()
	c.now = func() time.Time { return now }
	return c, sink, &now
}

func spansByName(td []ptrace.Traces) map[string]ptrace.Span {
	out := map[string]ptrace.Span{}
	for _, tr := range td {
		for i := 0; i < tr.ResourceSpans().Len(); i++ {
			rs := tr.ResourceSpans().At(i)
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				spans := rs.ScopeSpans().At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					out[spans.At(k).Name()] = spans.At(k)
				}
			}
		}
	}
	return out
}

func TestSeedIncidentWaterfall(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "incident")
	cfg.SpanName = "{service}"
	c, sink, now := newTestConnector(t, cfg)
	require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, incidentLogs())))
	assert.Empty(t, sink.AllTraces(), "groups stay open until idle")
	*now = now.Add(cfg.IdleTimeout)
	c.emit(context.Background(), c.expired(*now))

	spans := spansByName(sink.AllTraces())
	require.Len(t, spans, 3, "one span per legacy service; none for the instrumented one; none for NO_TRACE_ID")
	res, _ := legacyid.Default.Map(jobUUID)
	trace := pcommon.TraceID(res.TraceID)
	derived := func(service string) pcommon.SpanID {
		return pcommon.SpanID(legacyid.DeriveSpanID(res.TraceID, service))
	}
	at := func(ms int) pcommon.Timestamp {
		return pcommon.NewTimestampFromTime(t0.Add(time.Duration(ms) * time.Millisecond))
	}

	ui, api, worker := spans["nuxt-ui"], spans["azure-function-api"], spans["ml-worker"]
	for name, s := range spans {
		assert.Equal(t, trace, s.TraceID(), name)
		assert.Equal(t, derived(name), s.SpanID(), "%s: the span ID is the one the bridge gave its logs", name)
		v, _ := s.Attributes().Get(AttrSynthesized)
		assert.True(t, v.Bool())
	}
	assert.True(t, ui.ParentSpanID().IsEmpty(), "the UI is the root")
	assert.Equal(t, derived("nuxt-ui"), api.ParentSpanID(), "hop nuxt-ui → azure-function-api")
	assert.Equal(t, derived("azure-function-api"), worker.ParentSpanID(), "hop azure-function-api → ml-worker")
	assert.Equal(t, at(40), api.StartTimestamp())
	assert.Equal(t, at(180), api.EndTimestamp())
	assert.Equal(t, at(2300), worker.StartTimestamp())
	assert.Equal(t, at(17310), worker.EndTimestamp())
	assert.Equal(t, ptrace.StatusCodeError, worker.Status().Code())
	assert.Contains(t, worker.Status().Message(), "Simulated model training failure")
	assert.Equal(t, ptrace.StatusCodeUnset, api.Status().Code())
	assert.Equal(t, 3, worker.Events().Len())
	count, _ := worker.Attributes().Get(AttrLogCount)
	assert.Equal(t, int64(3), count.Int())
	for _, tr := range sink.AllTraces() {
		for i := 0; i < tr.ResourceSpans().Len(); i++ {
			rs := tr.ResourceSpans().At(i)
			svc, _ := rs.Resource().Attributes().Get("service.name")
			host, _ := rs.Resource().Attributes().Get("host.name")
			assert.Equal(t, svc.Str()+"-0", host.Str(), "the resource is copied from the logs")
		}
	}
	msg, _ := api.Events().At(1).Attributes().Get("message")
	assert.Equal(t, "Publishing job for model 'fail-me' to Pub/Sub topic 'training-jobs'.", msg.Str())

	// The bridged logs carry the same span IDs: Kibana's span.id and Jaeger agree.
	logs := bridged(t, incidentLogs())
	for i := 0; i < logs.ResourceLogs().Len(); i++ {
		rl := logs.ResourceLogs().At(i)
		svc, _ := rl.Resource().Attributes().Get("service.name")
		rec := rl.ScopeLogs().At(0).LogRecords().At(0)
		if s, ok := spans[svc.Str()]; ok {
			assert.Equal(t, s.SpanID(), rec.SpanID(), svc.Str())
		}
	}
}

// With a queue hop the worker hangs under the Pub/Sub receive span of the job's message: the
// span ID pubsub_trace gives the trace's first message on that subscription.
func TestQueueHopParentsTheWorkerOnTheReceiveSpan(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "queue")
	require.NoError(t, xconfmap.Validate(cfg))
	c, sink, now := newTestConnector(t, cfg)
	require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, incidentLogs())))
	*now = now.Add(cfg.IdleTimeout)
	c.emit(context.Background(), c.expired(*now))

	spans := spansByName(sink.AllTraces())
	res, _ := legacyid.Default.Map(jobUUID)
	receive := legacyid.DeriveReceiveSpanID(res.TraceID, "training-jobs-otel-tap")
	assert.Equal(t, pcommon.SpanID(receive), spans["ml-worker"].ParentSpanID())
	assert.Equal(t, pcommon.SpanID(legacyid.DeriveSpanID(res.TraceID, "nuxt-ui")), spans["azure-function-api"].ParentSpanID())
}

func spanCount(sink *consumertest.TracesSink) int {
	n := 0
	for _, td := range sink.AllTraces() {
		n += td.SpanCount()
	}
	return n
}

func TestGroupsCloseOnMaxDurationAndBound(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.MaxOpenGroups = 2
	cfg.MaxDuration = time.Minute
	c, sink, now := newTestConnector(t, cfg)
	send := func(id string) {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "api")
		rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		rec.Attributes().PutStr("trace_id", id)
		require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, ld)))
	}
	send("a")
	send("b")
	send("c") // pushes "a" out
	require.Len(t, sink.AllTraces(), 1, "the oldest group is flushed when the bound is reached")
	for range 10 {
		*now = now.Add(cfg.IdleTimeout / 2)
		send("b") // busy: never idle
		c.emit(context.Background(), c.expired(*now))
	}
	*now = now.Add(time.Minute)
	c.emit(context.Background(), c.expired(*now))
	assert.Equal(t, 3, spanCount(sink), "a (evicted), c (idle), b (max_duration although busy)")
	send("b")
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Equal(t, 4, spanCount(sink), "b again, as a continuation, flushed at shutdown")
}

func TestLateLogsStartAContinuation(t *testing.T) {
	c, sink, now := newTestConnector(t, createDefaultConfig())
	require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, incidentLogs())))
	*now = now.Add(time.Hour)
	c.emit(context.Background(), c.expired(*now))
	first := spansByName(sink.AllTraces())["ml-worker"]

	require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, incidentLogs())))
	require.NoError(t, c.Shutdown(context.Background()), "shutdown flushes open groups")
	second := spansByName(sink.AllTraces()[len(sink.AllTraces())-1:])["ml-worker"]
	assert.Equal(t, first.SpanID(), second.SpanID(), "same span ID")
	v, ok := second.Attributes().Get(AttrContinuation)
	assert.True(t, ok && v.Bool(), "marked as a continuation")
	_, firstMarked := first.Attributes().Get(AttrContinuation)
	assert.False(t, firstMarked)
}

func TestTimerClosesIdleGroups(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.IdleTimeout = 100 * time.Millisecond
	sink := &consumertest.TracesSink{}
	c, err := NewFactory().CreateLogsToTraces(context.Background(), connectortest.NewNopSettings(Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, incidentLogs())))
	require.Eventually(t, func() bool { return sink.SpanCount() == 3 }, 5*time.Second, 20*time.Millisecond)
	require.NoError(t, c.Shutdown(context.Background()))
}

// pageSpans are a browser page's spans in the job's trace, as its SDK exports them: the click
// (a root) and the request it made (CLIENT), which the API's span must hang under.
func pageSpans(trace pcommon.TraceID) (ptrace.Traces, pcommon.SpanID) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "nuxt-ui")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	click := spans.AppendEmpty()
	click.SetTraceID(trace)
	click.SetSpanID(pcommon.SpanID{0xc1})
	click.SetName("click Run training job")
	click.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(-time.Second)))
	request := spans.AppendEmpty()
	request.SetTraceID(trace)
	request.SetSpanID(pcommon.SpanID{0xc2})
	request.SetParentSpanID(click.SpanID())
	request.SetKind(ptrace.SpanKindClient)
	request.SetName("POST")
	request.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
	return td, request.SpanID()
}

// With the page instrumented (legacy_spans also in the traces pipeline), the API's span hangs
// under the page's request span and no nuxt-ui span is synthesised beside the page's own,
// whether the page's spans arrive before its legacy lines or after them (before the groups
// close).
func TestInstrumentedCallerReplacesTheSynthesisedSpan(t *testing.T) {
	for _, order := range []string{"spans first", "logs first"} {
		t.Run(order, func(t *testing.T) {
			f := NewFactory()
			cfg := testutil.ComponentConfig[*Config](t, f, "incident")
			cfg.SpanName = "{service}"
			set := connectortest.NewNopSettings(Type)
			tel := componenttest.NewTelemetry()
			t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
			set.TelemetrySettings = tel.NewTelemetrySettings()
			sink := &consumertest.TracesSink{}
			logsSide, err := f.CreateLogsToTraces(context.Background(), set, cfg, sink)
			require.NoError(t, err)
			tracesSide, err := f.CreateTracesToTraces(context.Background(), set, cfg, consumertest.NewNop())
			require.NoError(t, err)
			c := logsSide.(*legacySpans)
			now := time.Now()
			c.now = func() time.Time { return now }

			res, _ := legacyid.Default.Map(jobUUID)
			trace := pcommon.TraceID(res.TraceID)
			page, request := pageSpans(trace)
			if order == "spans first" {
				require.NoError(t, tracesSide.ConsumeTraces(context.Background(), page))
			}
			require.NoError(t, c.ConsumeLogs(context.Background(), bridged(t, incidentLogs())))
			if order == "logs first" {
				require.NoError(t, tracesSide.ConsumeTraces(context.Background(), page))
			}
			now = now.Add(cfg.IdleTimeout)
			c.emit(context.Background(), c.expired(now))

			spans := spansByName(sink.AllTraces())
			assert.NotContains(t, spans, "nuxt-ui", "the page's own spans stand for it")
			require.Contains(t, spans, "azure-function-api")
			assert.Equal(t, request, spans["azure-function-api"].ParentSpanID(), "the API hangs under the page's request")
			assert.Contains(t, spans, "ml-worker")
			metadatatest.AssertEqualConnectorLegacySpansSuperseded(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
		})
	}
}

// Another connector's learning is not this one's: two legacy_spans keep apart.
func TestInstrumentedStoresArePerConnector(t *testing.T) {
	f := NewFactory()
	cfg := createDefaultConfig()
	a, err := f.CreateTracesToTraces(context.Background(), connectortest.NewNopSettings(Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	set := connectortest.NewNopSettings(Type)
	set.ID = component.MustNewIDWithName(Type.String(), "other")
	b, err := f.CreateLogsToTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	page, _ := pageSpans(pcommon.TraceID{1})
	require.NoError(t, a.ConsumeTraces(context.Background(), page))
	_, seen := b.(*legacySpans).instrumented.span(pcommon.TraceID{1}, "nuxt-ui")
	assert.False(t, seen)
	_, seen = a.(instrumentedSpans).in.span(pcommon.TraceID{1}, "nuxt-ui")
	assert.True(t, seen)
}
