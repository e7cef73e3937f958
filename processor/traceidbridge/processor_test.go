// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// harness runs one configuration of the processor into consumertest sinks, with telemetry.
type harness struct {
	tel     *componenttest.Telemetry
	logs    *consumertest.LogsSink
	traces  *consumertest.TracesSink
	metrics *consumertest.MetricsSink
}

func newHarness(t *testing.T) *harness {
	h := &harness{
		tel:     componenttest.NewTelemetry(),
		logs:    &consumertest.LogsSink{},
		traces:  &consumertest.TracesSink{},
		metrics: &consumertest.MetricsSink{},
	}
	t.Cleanup(func() { require.NoError(t, h.tel.Shutdown(context.Background())) })
	return h
}

func (h *harness) settings() processor.Settings {
	set := processortest.NewNopSettings(Type)
	set.TelemetrySettings = h.tel.NewTelemetrySettings()
	return set
}

func (h *harness) runLogs(t *testing.T, cfg *Config, ld plog.Logs) plog.Logs {
	p, err := NewFactory().CreateLogs(context.Background(), h.settings(), cfg, h.logs)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	require.NoError(t, p.Shutdown(context.Background()))
	all := h.logs.AllLogs()
	return all[len(all)-1]
}

func (h *harness) runTraces(t *testing.T, cfg *Config, td ptrace.Traces) ptrace.Traces {
	p, err := NewFactory().CreateTraces(context.Background(), h.settings(), cfg, h.traces)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.NoError(t, p.Shutdown(context.Background()))
	all := h.traces.AllTraces()
	return all[len(all)-1]
}

func (h *harness) runMetrics(t *testing.T, cfg *Config, md pmetric.Metrics) pmetric.Metrics {
	p, err := NewFactory().CreateMetrics(context.Background(), h.settings(), cfg, h.metrics)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	require.NoError(t, p.Shutdown(context.Background()))
	all := h.metrics.AllMetrics()
	return all[len(all)-1]
}

func (h *harness) counter(t testing.TB, name string, attrs map[string]string) int64 {
	t.Helper()
	return testutil.Counter(t, h.tel, name, attrs)
}

// logAt returns record k of resource i (one scope per resource in the seed data).
func logAt(ld plog.Logs, i, k int) plog.LogRecord {
	return ld.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords().At(k)
}

func mapped(t *testing.T, id string) legacyid.Result {
	res, ok := legacyid.Default.Map(id)
	require.True(t, ok)
	return res
}

func derivedSpan(traceID pcommon.TraceID, service string) pcommon.SpanID {
	return pcommon.SpanID(legacyid.DeriveSpanID(traceID, service))
}

func TestLogsDefaultConfig(t *testing.T) {
	h := newHarness(t)
	got := h.runLogs(t, createDefaultConfig(), seedLogs())
	testutil.CompareLogsGolden(t, "logs_default", got)

	job := traceIDFromHex(jobTraceHex)
	// One UUID, four services, one trace: the point of the product.
	for _, at := range []struct {
		res, rec int
		service  string
	}{{0, 1, "nuxt-ui"}, {1, 0, "azure-function-api"}, {1, 1, "azure-function-api"}, {2, 1, "ml-worker"}, {2, 2, "ml-worker"}, {3, 3, "model-server"}} {
		rec := logAt(got, at.res, at.rec)
		assert.Equal(t, job, rec.TraceID(), "resource %d record %d", at.res, at.rec)
		assert.Equal(t, derivedSpan(job, at.service), rec.SpanID(), "every log of one service in one trace shares one span ID")
	}
	assert.NotEqual(t, logAt(got, 1, 0).SpanID(), logAt(got, 2, 1).SpanID(), "API and worker are different spans")

	ui := logAt(got, 0, 0)
	assert.Equal(t, pcommon.TraceID(mapped(t, opaqueID).TraceID), ui.TraceID())
	assertAttr(t, ui.Attributes(), AttrLegacyTraceID, opaqueID)
	assertAttr(t, ui.Attributes(), AttrLegacyFormat, "hash")
	assertAttr(t, logAt(got, 1, 0).Attributes(), AttrLegacyFormat, "uuid")

	broken := logAt(got, 1, 2)
	assert.True(t, broken.TraceID().IsEmpty(), "default sources do not read IDs out of broken JSON")

	startup := logAt(got, 2, 0)
	assertAttr(t, startup.Attributes(), AttrLegacyFormat, "hash")
	noID := logAt(got, 2, 3)
	assert.True(t, noID.TraceID().IsEmpty())
	_, tagged := noID.Attributes().Get(AttrTraceMissing)
	assert.False(t, tagged, "tag_missing is off by default")

	conflict := logAt(got, 3, 0)
	assert.Equal(t, traceIDFromHex("5b8efff798038103d269b633813fc60c"), conflict.TraceID(), "a valid trace ID is kept without override")
	assert.Equal(t, spanIDFromHex("eee19b7ec3c1b174"), conflict.SpanID())
	assertAttr(t, conflict.Attributes(), AttrLegacyMappedTraceID, legacyid.FormatHex(mapped(t, "req-8f4c2a").TraceID))
	_, hasMapped := logAt(got, 3, 1).Attributes().Get(AttrLegacyMappedTraceID)
	assert.False(t, hasMapped, "an agreeing legacy ID is no conflict")

	tp := logAt(got, 3, 2)
	assert.Equal(t, traceIDFromHex("0af7651916cd43dd8448eb211c80319c"), tp.TraceID())
	assert.Equal(t, spanIDFromHex("b7ad6b7169203331"), tp.SpanID(), "traceparent carries its own span ID")
	assert.Equal(t, pcommon.TraceID(mapped(t, "12345").TraceID), logAt(got, 3, 4).TraceID(), "integer in a map body")
	assert.True(t, logAt(got, 3, 5).TraceID().IsEmpty())

	logs := map[string]string{"signal": "logs"}
	assert.Equal(t, int64(6), h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "logs", "rule": "uuid"}))
	assert.Equal(t, int64(3), h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "logs", "rule": "hash"}))
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "logs", "rule": "traceparent"}))
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_trace_id_bridge_conflicts", logs))
	assert.Equal(t, int64(3), h.counter(t, "otelcol_processor_trace_id_bridge_missing", logs))
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_trace_id_bridge_unparseable", logs))
}

func TestLogsCustomConfig(t *testing.T) {
	h := newHarness(t)
	got := h.runLogs(t, testutil.ComponentConfig[*Config](t, NewFactory(), "custom"), seedLogs())
	testutil.CompareLogsGolden(t, "logs_custom", got)

	broken := logAt(got, 1, 2)
	assert.Equal(t, traceIDFromHex(jobTraceHex), broken.TraceID(), "text_body pattern reads the ID out of broken JSON")
	assertAttr(t, broken.Attributes(), AttrLegacyTraceID, jobUUID)

	startup := logAt(got, 2, 0)
	assert.True(t, startup.TraceID().IsEmpty(), "worker-startup is a configured sentinel")
	assertBoolAttr(t, startup.Attributes(), AttrTraceMissing, true)

	assert.True(t, logAt(got, 0, 0).TraceID().IsEmpty(), "the custom sources do not read X-Trace-ID attributes")

	namespaced, ok := legacyid.New(legacyid.Options{Namespace: "tenant-a"}).Map("req-nested-1")
	require.True(t, ok)
	assert.Equal(t, pcommon.TraceID(namespaced.TraceID), logAt(got, 3, 4).TraceID(), "dotted body path, namespaced hash")
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "logs", "rule": "hash"}))
}

func TestLogsOverride(t *testing.T) {
	h := newHarness(t)
	got := h.runLogs(t, testutil.ComponentConfig[*Config](t, NewFactory(), "override"), seedLogs())
	conflict := logAt(got, 3, 0)
	want := pcommon.TraceID(mapped(t, "req-8f4c2a").TraceID)
	assert.Equal(t, want, conflict.TraceID())
	assert.Equal(t, derivedSpan(want, "model-server"), conflict.SpanID(), "the old span ID belonged to the old trace")
	_, kept := conflict.Attributes().Get(AttrLegacyMappedTraceID)
	assert.False(t, kept, "overridden, not a conflict: no second trace ID to keep")
	assert.Positive(t, h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "logs", "rule": "hash"}), "the override counts as bridged")
}

func TestLogsIdempotentAtTheGateway(t *testing.T) {
	h := newHarness(t)
	once := h.runLogs(t, createDefaultConfig(), seedLogs())
	again := plog.NewLogs()
	once.CopyTo(again)
	twice := h.runLogs(t, createDefaultConfig(), again)
	require.NoError(t, plogtest.CompareLogs(once, twice), "a sidecar and a gateway both bridging must agree")
}

func TestTracesLink(t *testing.T) {
	h := newHarness(t)
	got := h.runTraces(t, createDefaultConfig(), seedTraces())
	testutil.CompareTracesGolden(t, "traces_link", got)

	spans := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	receive := spans.At(0)
	job := traceIDFromHex(jobTraceHex)
	assert.Equal(t, traceIDFromHex("2b2d7a5e1ae0c2a9f8f0d4c7e5b1a3d9"), receive.TraceID(), "linking never moves a span")
	require.Equal(t, 1, receive.Links().Len())
	assert.Equal(t, job, receive.Links().At(0).TraceID())
	assert.Equal(t, derivedSpan(job, "ml-worker"), receive.Links().At(0).SpanID())
	assert.Equal(t, 0, spans.At(1).Links().Len())
	assert.Equal(t, 0, spans.At(3).Links().Len(), "a span already in the mapped trace gets no link")

	again := ptrace.NewTraces()
	got.CopyTo(again)
	twice := h.runTraces(t, createDefaultConfig(), again)
	assert.Equal(t, 1, twice.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Links().Len(), "no duplicate link")
}

func TestTracesOverrideMovesTheWholeTrace(t *testing.T) {
	h := newHarness(t)
	got := h.runTraces(t, testutil.ComponentConfig[*Config](t, NewFactory(), "override"), seedTraces())
	testutil.CompareTracesGolden(t, "traces_override", got)

	spans := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	job := traceIDFromHex(jobTraceHex)
	receive, train, other := spans.At(0), spans.At(1), spans.At(2)
	assert.Equal(t, job, receive.TraceID())
	assert.Equal(t, job, train.TraceID(), "the child follows its parent")
	assert.Equal(t, receive.SpanID(), train.ParentSpanID(), "parent/child structure is kept")
	assertAttr(t, train.Attributes(), AttrOriginalTraceID, "2b2d7a5e1ae0c2a9f8f0d4c7e5b1a3d9")
	assert.Equal(t, traceIDFromHex("9f0e8d7c6b5a49382716059483726150"), other.TraceID(), "other traces stay")
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "traces"}))
}

func TestMetricsExemplars(t *testing.T) {
	h := newHarness(t)
	got := h.runMetrics(t, createDefaultConfig(), seedMetrics())
	testutil.CompareMetricsGolden(t, "metrics_exemplars", got)

	ms := got.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	withID := ms.At(0).Sum().DataPoints().At(0)
	_, still := withID.Attributes().Get("request_id")
	assert.False(t, still, "the legacy ID attribute is removed from the series")
	assertAttr(t, withID.Attributes(), "model", "resnet50")
	require.Equal(t, 1, withID.Exemplars().Len())
	ex := withID.Exemplars().At(0)
	want := pcommon.TraceID(mapped(t, "req-8f4c2a").TraceID)
	assert.Equal(t, want, ex.TraceID())
	assert.Equal(t, derivedSpan(want, "model-server"), ex.SpanID())
	assert.InDelta(t, 1.0, ex.DoubleValue(), 0)
	assert.Equal(t, 0, ms.At(0).Sum().DataPoints().At(1).Exemplars().Len())

	hp := ms.At(1).Histogram().DataPoints().At(0)
	require.Equal(t, 1, hp.Exemplars().Len())
	assert.Equal(t, traceIDFromHex(jobTraceHex), hp.Exemplars().At(0).TraceID())
	assert.InDelta(t, 125.0, hp.Exemplars().At(0).DoubleValue(), 0, "histogram exemplar holds the mean")

	_, kept := ms.At(2).Summary().DataPoints().At(0).Attributes().Get("trace_id")
	assert.True(t, kept, "summaries cannot hold exemplars, so their attributes stay")
	assert.Equal(t, int64(2), h.counter(t, "otelcol_processor_trace_id_bridge_bridged", map[string]string{"signal": "metrics"}))
}

func assertAttr(t *testing.T, attrs pcommon.Map, key, want string) {
	t.Helper()
	v, ok := attrs.Get(key)
	if assert.True(t, ok, "attribute %s missing", key) {
		assert.Equal(t, want, v.AsString(), "attribute %s", key)
	}
}

func assertBoolAttr(t *testing.T, attrs pcommon.Map, key string, want bool) {
	t.Helper()
	v, ok := attrs.Get(key)
	if assert.True(t, ok, "attribute %s missing", key) {
		assert.Equal(t, want, v.Bool(), "attribute %s", key)
	}
}

// The bridge reads a string body as JSON by the rules ml_schema parses it by (one tokenizer,
// internal/jsontoken): a body tagged invalid_json downstream gives no ID from json_body sources,
// however early the ID stands, and a key given twice counts as the parsed body stores it.
func TestJSONBodyIsReadAsMlSchemaParsesIt(t *testing.T) {
	bodies := []string{
		`{"trace_id": "job-1", "message": "model "fail-me" raised"}`,
		`{"trace_id": "job-2", "level": "INFO"} {"trailing": true}`,
		"{\"trace_id\": \"job-3\", \"message\": \"raw\ttab\"}",
		`{"trace_id": "first", "message": "ok", "trace_id": "job-4"}`,
		`{"trace_id": "job-5", "message": "fine \"quoted\" text"}`,
	}
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, b := range bodies {
		records.AppendEmpty().Body().SetStr(b)
	}
	got := newHarness(t).runLogs(t, createDefaultConfig(), ld)

	for i, b := range bodies {
		rec := logAt(got, 0, i)
		parsed := pcommon.NewMap()
		if _, err := jsontopdata.ParseObject(b, parsed, 16); err != nil {
			assert.True(t, rec.TraceID().IsEmpty(), "%q does not parse (%v) yet gave a trace ID", b, err)
			continue
		}
		stored, _ := parsed.Get("trace_id")
		assert.Equal(t, pcommon.TraceID(mapped(t, stored.Str()).TraceID), rec.TraceID(), "%q", b)
	}
	assert.Equal(t, pcommon.TraceID(mapped(t, "job-4").TraceID), logAt(got, 0, 3).TraceID(), "the last trace_id, as the parsed body keeps it")
}
