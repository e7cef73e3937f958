// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/elasticsearchexporter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

var baseTime = time.Date(2026, 2, 27, 14, 32, 15, 847_000_000, time.UTC)

// shapeLogs runs ld through a default ecs_shape and returns the output and the telemetry.
func shapeLogs(t *testing.T, ld plog.Logs) (plog.Logs, *componenttest.Telemetry) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink := &consumertest.LogsSink{}
	p, err := NewFactory().CreateLogs(context.Background(), set, createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	require.NoError(t, p.Shutdown(context.Background()))
	return sink.AllLogs()[0], tel
}

// record appends a record whose body is the JSON object body, as ml_schema leaves it (a map),
// with the timestamp and severity ml_schema would have set.
func record(t *testing.T, ld plog.Logs, service, body string) plog.LogRecord {
	t.Helper()
	rl := ld.ResourceLogs().AppendEmpty()
	if service != "" {
		rl.Resource().Attributes().PutStr("service.name", service)
	}
	rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	_, err := jsontopdata.ParseObject(body, rec.Body().SetEmptyMap(), 16)
	require.NoError(t, err)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(baseTime))
	rec.SetSeverityNumber(plog.SeverityNumberInfo)
	rec.SetSeverityText("INFO")
	return rec
}

// The seed's record shapes, shaped: ECS homes, data streams, summaries, what is moved.
func TestSeedRecordsGolden(t *testing.T) {
	ld := plog.NewLogs()
	// The API's asctime JSON line (ml_schema parsed the timestamp), legacy ID bridged.
	api := record(t, ld, "", `{"timestamp": "2026-02-27 14:32:15,847", "level": "INFO", "message": "Received request to create training job.", "trace_id": "a7bc169b-6eae-4dfc-bc28-89d1a6a1233f", "service": "azure-function-api"}`)
	api.Attributes().PutStr("legacy.trace_id", "a7bc169b-6eae-4dfc-bc28-89d1a6a1233f")
	api.Attributes().PutStr("legacy.trace_id.format", "uuid")
	// An inference record of the seed's schema, no message.
	record(t, ld, "recommendation-model-prod", `{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-7f3a", "service": "recommendation-model-prod", "event_type": "inference_complete", "log_level": "INFO", "model_metadata": {"model_name": "recsys", "model_version": "v2.3.1"}, "inference_metrics": {"latency_ms": 84.2}, "output": {"confidence_scores": [0.91, 0.35]}}`)
	// The same with every contract field of the wrong type and ECS-name collisions.
	bad := record(t, ld, "recommendation-model-prod", `{"event_type": "inference_complete", "timestamp": "99999-01-01T00:00:00Z", "service": "other-name", "model_metadata": "m", "request_context": "nope", "inference_metrics": {"latency_ms": "fast"}, "input_features": {"cache_hit": "yes"}, "trace": "t", "span": "s", "log": "l", "event": "e", "message": {"text": "an object"}}`)
	bad.Attributes().PutStr("tags", "invalid_schema")
	// A training record whose loss is an object and epoch a word.
	record(t, ld, "ml-worker", `{"event_type": "training_epoch_end", "experiment_id": "exp-1", "model_name": "bert", "epoch": "three", "metrics": {"train_loss": {"value": 0.3}}}`)
	// A 40 KB request_id (keyword, over ignore_above): Elasticsearch keeps it unindexed, whole.
	record(t, ld, "api", `{"event_type": "inference_complete", "request_id": "`+strings.Repeat("r", 40000)+`"}`)
	out, tel := shapeLogs(t, ld)
	// Document IDs are content hashes: stable, so golden.
	testutil.CompareLogsGolden(t, "seed_records", out)
	assert.Equal(t, int64(5), testutil.Counter(t, tel, "otelcol_processor_ecs_shape_records", nil))
	assert.Equal(t, int64(2), testutil.Counter(t, tel, "otelcol_processor_ecs_shape_records_conflicted", nil))
	relocated := func(reason string) int64 {
		return testutil.Counter(t, tel, "otelcol_processor_ecs_shape_fields_relocated", map[string]string{"reason": reason})
	}
	long, _ := out.ResourceLogs().At(4).ScopeLogs().At(0).LogRecords().At(0).Body().Map().Get("request_id")
	assert.Len(t, long.Str(), 40000, "a keyword over ignore_above is kept whole")
	assert.Equal(t, int64(1), relocated(reasonUnparsed), "the five-digit year")
	assert.Equal(t, int64(11), relocated(reasonType), "message, model_metadata, request_context, cache_hit, latency_ms, trace, span, log, event; epoch, train_loss")
}

// hostileValues are wrong for some mapped type each: text, objects, arrays of objects,
// booleans, non-finite numbers, huge strings.
func hostileValues() []any {
	return []any{"fast", map[string]any{"a": 1.0}, []any{map[string]any{"a": 1.0}}, true, "yes", "NaN", 1.5,
		-9.3e18, 1e300, strings.Repeat("x", 40000), []any{1.0, "two", map[string]any{}}, ""}
}

// leafPaths lists every field of the mappings, objects included.
func leafPaths(n *schema.ESNode, prefix string, out *[]string) {
	for name, child := range n.Children {
		p := prefix + name
		if !child.Disabled {
			*out = append(*out, p)
		}
		if child.Type == "object" && !child.Disabled {
			leafPaths(child, p+".", out)
		}
	}
}

// setPath writes v at a dotted path of nested maps.
func setPath(m map[string]any, path string, v any) {
	head, rest, more := strings.Cut(path, ".")
	if !more {
		m[head] = v
		return
	}
	sub, ok := m[head].(map[string]any)
	if !ok {
		sub = map[string]any{}
		m[head] = sub
	}
	setPath(sub, rest, v)
}

// Every mapped field given every hostile value, through ecs_shape and contrib's
// elasticsearch exporter into the stand-in with the shipped template: Elasticsearch refuses
// none of them, and each value is found in its document — in place, cut (with its length), or
// in ml.schema.invalid with its original JSON.
func TestEveryWrongTypeIsIndexed(t *testing.T) {
	es, err := esstandin.StartShipped("127.0.0.1:0", filepath.Join("..", "..", "configs", "elasticsearch"))
	require.NoError(t, err)
	defer func() { _ = es.Close() }()
	exp := startExporter(t, es.URL())

	var paths []string
	leafPaths(schema.ElasticsearchTree(schema.Default()), "", &paths)
	type sent struct {
		path  string
		value any
	}
	var cases []sent
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "hostile")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, p := range paths {
		for _, v := range hostileValues() {
			body := map[string]any{"event_type": "inference_complete"}
			setPath(body, p, v)
			rec := recs.AppendEmpty()
			require.NoError(t, rec.Body().SetEmptyMap().FromRaw(body))
			rec.SetTimestamp(pcommon.NewTimestampFromTime(baseTime))
			rec.Attributes().PutInt("corpus.index", int64(len(cases)))
			cases = append(cases, sent{p, v})
		}
	}
	shaped, _ := shapeLogs(t, ld)
	require.NoError(t, exp.ConsumeLogs(context.Background(), shaped))
	require.NoError(t, exp.Shutdown(context.Background()))

	assert.Zero(t, es.Refused(), "documents Elasticsearch would refuse; first failure: %v", firstFailure(es))
	docs := map[int]map[string]any{}
	for _, d := range es.Docs() {
		if v, ok := esstandin.Field(d.Source, "corpus.index"); ok {
			var n int
			_, _ = fmt.Sscan(fmt.Sprint(v), &n)
			docs[n] = d.Source
		}
	}
	require.Len(t, docs, len(cases), "every record indexed")
	for i, c := range cases {
		if err := testutil.FindOriginal(docs[i], c.path, c.value, nil, nil); err != nil {
			t.Errorf("record %d (%s = %.60v): %v", i, c.path, c.value, err)
		}
		// What the ECS part of the document holds is the shaping's; the record's own value of
		// such a field is kept aside, never silently replaced.
		if reserved[c.path] && c.path != "message" && !inInvalid(docs[i], c.path) {
			t.Errorf("record %d: its own %s = %.60v is not in %s", i, c.path, c.value, schema.FieldInvalid)
		}
	}
}

func inInvalid(doc map[string]any, path string) bool {
	for _, v := range testutil.AllValues(doc, schema.FieldInvalid) {
		for _, e := range v.([]any) {
			if e.(map[string]any)["path"] == path {
				return true
			}
		}
	}
	return false
}

func firstFailure(es *esstandin.Server) any {
	if f := es.Failures(); len(f) > 0 {
		return f[0].Source["error"]
	}
	return nil
}

// startExporter is contrib's elasticsearch exporter as the gateway configures it, without
// the persistent queue: each ConsumeLogs is one synchronous _bulk.
func startExporter(t *testing.T, url string) interface {
	ConsumeLogs(context.Context, plog.Logs) error
	Shutdown(context.Context) error
} {
	t.Helper()
	f := elasticsearchexporter.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"endpoints":       []any{url},
		"logs_dynamic_id": map[string]any{"enabled": true},
		"sending_queue":   map[string]any{"enabled": false},
		"retry":           map[string]any{"enabled": false},
	}).Unmarshal(cfg))
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(component.MustNewType("elasticsearch")), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	return exp
}

func documentID(rec plog.LogRecord) string {
	v, _ := rec.Attributes().Get(attrDocumentID)
	return v.Str()
}

// A line read twice from a file gets the same _id whatever else differs (when it was read);
// records from SDKs get one from their content, so a retried batch is indexed once.
func TestDocumentIDs(t *testing.T) {
	ld := plog.NewLogs()
	fileLine := func(n int64, observed time.Time) {
		rec := record(t, ld, "ml-worker", `{"message": "epoch done"}`)
		rec.Attributes().PutStr("log.file.path", "/var/log/pods/w/0.log")
		rec.Attributes().PutInt("log.file.record_number", n)
		rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	}
	fileLine(7, baseTime)
	fileLine(7, baseTime.Add(time.Hour)) // the same line, read again after a restart
	fileLine(8, baseTime)
	record(t, ld, "api", `{"message": "request", "request_id": "r1"}`)
	record(t, ld, "api", `{"message": "request", "request_id": "r1"}`)
	record(t, ld, "api", `{"message": "request", "request_id": "r2"}`)
	given := record(t, ld, "api", `{"message": "with its own"}`)
	given.Attributes().PutStr(attrDocumentID, "chosen-by-sender")
	beatsLine := func(offset int64, observed time.Time) { // Filebeat names a line by its byte offset
		rec := record(t, ld, "ml-worker", `{"message": "epoch done"}`)
		rec.Attributes().PutStr("log.file.path", "/var/log/containers/w.log")
		rec.Attributes().PutInt("log.offset", offset)
		rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	}
	beatsLine(18231, baseTime)
	beatsLine(18231, baseTime.Add(time.Minute)) // resent by Filebeat after a lost ACK
	beatsLine(18312, baseTime)
	out, _ := shapeLogs(t, ld)
	var ids []string
	for _, rl := range out.ResourceLogs().All() {
		ids = append(ids, documentID(rl.ScopeLogs().At(0).LogRecords().At(0)))
	}
	assert.Len(t, ids[0], 32)
	assert.Equal(t, ids[0], ids[1], "a re-read line")
	assert.NotEqual(t, ids[0], ids[2], "the next line")
	assert.Equal(t, ids[3], ids[4], "a resent record")
	assert.NotEqual(t, ids[3], ids[5], "another record")
	assert.Equal(t, "chosen-by-sender", ids[6])
	assert.Equal(t, ids[7], ids[8], "a line Filebeat resent")
	assert.NotEqual(t, ids[7], ids[9], "Filebeat's next line")
}

func BenchmarkShape(b *testing.B) {
	const inference = `{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-7f3a", "service": "recommendation-model-prod", "event_type": "inference_complete", "log_level": "INFO", "model_metadata": {"model_name": "recsys", "model_version": "v2.3.1"}, "inference_metrics": {"latency_ms": 84.2}, "output": {"confidence_scores": [0.91, 0.35]}, "trace_id": "a7bc169b-6eae-4dfc-bc28-89d1a6a1233f"}`
	const app = `{"timestamp": "2026-02-27 14:32:15,847", "level": "INFO", "message": "Received request to create training job.", "trace_id": "a7bc169b-6eae-4dfc-bc28-89d1a6a1233f", "service": "azure-function-api"}`
	for _, tc := range []struct{ name, body string }{{"inference", inference}, {"app_line", app}} {
		b.Run(tc.name, func(b *testing.B) {
			template := plog.NewLogs()
			rl := template.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", "recommendation-model-prod")
			recs := rl.ScopeLogs().AppendEmpty().LogRecords()
			for range 100 {
				rec := recs.AppendEmpty()
				_, _ = jsontopdata.ParseObject(tc.body, rec.Body().SetEmptyMap(), 16)
				rec.SetTimestamp(pcommon.NewTimestampFromTime(baseTime))
				rec.Attributes().PutStr("legacy.trace_id", "a7bc169b-6eae-4dfc-bc28-89d1a6a1233f")
			}
			s, err := newShaper(componenttest.NewNopTelemetrySettings(), createDefaultConfig())
			require.NoError(b, err)
			batch := plog.NewLogs()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				template.CopyTo(batch)
				b.StartTimer()
				_, _ = s.processLogs(context.Background(), batch)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/record")
		})
	}
}

// A record that already holds ml.schema.invalid (not a list) keeps that value when the
// shaping adds entries.
func TestOwnInvalidFieldIsKept(t *testing.T) {
	ld := plog.NewLogs()
	record(t, ld, "api", `{"ml.schema.invalid": "mine", "epoch": "three", "event_type": "training_epoch_end"}`)
	out, _ := shapeLogs(t, ld)
	doc := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Map()
	list, ok := doc.Get(schema.FieldInvalid)
	require.True(t, ok)
	require.Equal(t, pcommon.ValueTypeSlice, list.Type())
	first := list.Slice().At(0).Map()
	v, _ := first.Get("value")
	assert.Equal(t, `"mine"`, v.Str())
	assert.Equal(t, 2, list.Slice().Len(), "its own value and the moved epoch")
}

// A record resent after an upgrade must get the ID it had before, or Elasticsearch indexes it
// twice: these IDs are the ones released versions computed, for every kind of value.
func TestDocumentIDsAreStableAcrossVersions(t *testing.T) {
	ld := plog.NewLogs()
	rec := record(t, ld, "api", `{"message": "scored", "latency_ms": 12.5, "ok": true, "n": 3, "tags": ["a", "b"], "model": {"name": "recsys"}}`)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(baseTime))
	rec.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	rec.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	rec.Attributes().PutEmptyBytes("raw").FromRaw([]byte{0, 1, 2})
	rec.Attributes().PutEmpty("nothing")
	rec.Attributes().PutBool("sampled", false)
	file := record(t, ld, "ml-worker", `{"message": "epoch done"}`)
	file.Attributes().PutStr("log.file.path", "/var/log/pods/w/0.log")
	file.Attributes().PutInt("log.file.record_number", 7)
	out, _ := shapeLogs(t, ld)
	var ids []string
	for _, rl := range out.ResourceLogs().All() {
		ids = append(ids, documentID(rl.ScopeLogs().At(0).LogRecords().At(0)))
	}
	assert.Equal(t, []string{"328c29957a0d104052d6ec31d078f480", "164e8769edaa244a43ce4227abf66073"}, ids)
}
