// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Every seed record, as unparsed JSON lines, through the default configuration.
func TestSeedRecordsGolden(t *testing.T) {
	h := newHarness(t, createDefaultConfig())
	ld, recs := newLogs("recommendation-model-prod")
	names := seedRecordNames(t)
	for _, name := range names {
		appendRecord(t, recs, seedRecord(t, name), jsonBody)
	}
	got := h.run(t, ld)
	testutil.CompareLogsGolden(t, "seed_records_default", got)

	out := got.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, len(names), out.Len(), "nothing is dropped with action tag")
	byName := map[string]plog.LogRecord{}
	for i, name := range names {
		byName[name] = out.At(i)
	}

	seed := byName["01_inference_seed.json"]
	assert.Empty(t, schemaErrors(seed), "the seed's own record fits its contract")
	assert.NotContains(t, tags(seed), "invalid_schema")
	assert.Equal(t, time.Date(2026, 2, 27, 14, 32, 15, 847e6, time.UTC), seed.Timestamp().AsTime())
	assert.Equal(t, plog.SeverityNumberInfo, seed.SeverityNumber())
	assertNum(t, seed, "output.mean_confidence", 0.748)
	assertNum(t, seed, "output.min_confidence", 0.52)
	assertNum(t, seed, "output.max_confidence", 0.94)
	assertNum(t, seed, "output.items_above_threshold", 5)
	assertStr(t, seed, "deployment.environment", "production")
	assertStr(t, seed, "deployment.cluster", "ml-us-west-2")
	_, warned := field(seed, "anomaly_signals.low_confidence_warning")
	assert.False(t, warned)

	broken := byName["02_inference_broken_contract.json"]
	assert.ElementsMatch(t, []string{
		"request_id: required field is missing",
		`environment: "prod" is not one of [production staging development]`,
		"model_metadata.model_version: required field is missing",
		`inference_metrics.gpu_memory_mb: expected number, got "a lot"`,
		"output.confidence_scores: element 0: 1.3 is above the maximum 1",
	}, schemaErrors(broken), "every violation, and none for quality_metrics, which schema 2.0 does not have")
	assert.Subset(t, tags(broken), []string{"invalid_schema", "timestamp_without_zone", "high_latency"})
	assertNum(t, broken, "inference_metrics.latency_ms", 612) // "612" became a number
	latency, _ := field(broken, "inference_metrics.latency_ms")
	assert.Equal(t, pcommon.ValueTypeInt, latency.Type())
	assertStr(t, broken, "ml.timestamp.assumed_zone", "UTC")

	epoch := byName["03_training_epoch_lightning.json"]
	assert.Empty(t, schemaErrors(epoch), "Lightning's callback record fits the training contract")
	assert.Equal(t, time.Date(2026, 2, 27, 3, 10, 44, 120311000, time.UTC), epoch.Timestamp().AsTime())
	assert.Empty(t, schemaErrors(byName["04_training_step_hf.json"]))
	assert.Empty(t, schemaErrors(byName["05_training_batch_sample.json"]))

	worker := byName["06_python_logging_worker.json"]
	assert.Equal(t, plog.SeverityNumberError, worker.SeverityNumber())
	assert.Equal(t, "ERROR", worker.SeverityText())
	assert.Equal(t, time.Date(2024, 5, 14, 10, 3, 22, 501e6, time.UTC), worker.Timestamp().AsTime())
	assert.Equal(t, []string{"timestamp_without_zone"}, tags(worker), "no schema for application logs")

	slow := byName["07_slow_low_confidence_seconds.json"]
	assertNum(t, slow, "inference_metrics.latency_ms", 734)
	assertNum(t, slow, "output.items_above_threshold", 1)
	assertBool(t, slow, "anomaly_signals.low_confidence_warning", true)
	assert.Contains(t, tags(slow), "high_latency")
	assert.Equal(t, time.Unix(1772202735, 5e8).UTC(), slow.Timestamp().AsTime())

	unknown := byName["08_unknown_event_type.json"]
	assert.Empty(t, schemaErrors(unknown), "unknown event types are not validated")
	_, enriched := field(unknown, "deployment.environment")
	assert.False(t, enriched, "unknown event types are not enriched")
	assert.Equal(t, plog.SeverityNumberWarn, unknown.SeverityNumber())

	invalidJSON := byName["09_python_formatter_broken_json.txt"]
	assert.Equal(t, pcommon.ValueTypeStr, invalidJSON.Body().Type(), "broken JSON is kept as it was")
	assert.Equal(t, seedRecord(t, "09_python_formatter_broken_json.txt"), invalidJSON.Body().Str())
	assert.Equal(t, []string{"invalid_json"}, tags(invalidJSON))

	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_ml_schema_invalid", map[string]string{"event_type": "inference"}))
	assert.Equal(t, int64(3), h.counter(t, "otelcol_processor_ml_schema_validated", map[string]string{"event_type": "inference"}))
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_ml_schema_validated", map[string]string{"event_type": "training_epoch"}))
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_ml_schema_tagged", map[string]string{"tag": "invalid_json"}))
	assert.Equal(t, int64(2), h.counter(t, "otelcol_processor_ml_schema_tagged", map[string]string{"tag": "high_latency"}))
}

// The same record as a JSON line, a map body and filelog attributes gets the same result.
func TestShapesAgree(t *testing.T) {
	for _, sh := range []struct {
		name  string
		shape shape
	}{{"json_body", jsonBody}, {"map_body", mapBody}, {"attributes", attributes}} {
		t.Run(sh.name, func(t *testing.T) {
			h := newHarness(t, createDefaultConfig())
			ld, recs := newLogs("recommendation-model-prod")
			appendRecord(t, recs, seedRecord(t, "02_inference_broken_contract.json"), sh.shape)
			appendRecord(t, recs, seedRecord(t, "01_inference_seed.json"), sh.shape)
			out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
			assert.Len(t, schemaErrors(out.At(0)), 5)
			assert.Contains(t, tags(out.At(0)), "invalid_schema")
			assertNum(t, out.At(1), "output.mean_confidence", 0.748)
			assertStr(t, out.At(1), "deployment.environment", "production")
			assert.Equal(t, time.Date(2026, 2, 27, 14, 32, 15, 847e6, time.UTC), out.At(1).Timestamp().AsTime())
		})
	}
}

func TestCustomConfigBehaviour(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "custom")
	cfg.Sampling.Enabled = false // sampling has its own test
	h := newHarness(t, cfg)
	ld, recs := newLogs("feature-store")
	appendRecord(t, recs, `{"timestamp": "2026-02-27 15:32:16", "event_type": "feature_lookup", "service": "fs", "request_id": "r1", "feature_set": "users", "lookup_ms": 3, "keys": "not-an-array"}`, jsonBody)
	appendRecord(t, recs, `{"timestamp": "2026-02-27T14:32:16Z", "event_type": "feature_lookup", "service": "fs", "request_id": "r2", "feature_set": "orders"}`, jsonBody)
	seed := appendRecord(t, recs, seedRecord(t, "01_inference_seed.json"), jsonBody)
	vector := seed.Body().Str()[:len(seed.Body().Str())-1] + `, "input_features_vector": [` + floats(100) + `]}`
	seed.Body().SetStr(vector)
	appendRecord(t, recs, `{"timestamp": "2026-02-27T14:32:17Z", "levelname": "ERROR", "message": "no schema here"}`, jsonBody)

	out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 3, out.Len(), "action drop removes the invalid feature_lookup record")
	first := out.At(0)
	assert.Empty(t, schemaErrors(first), "keys is checked only from schema 2.1; the default version is 2.0 here")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	assert.True(t, time.Date(2026, 2, 27, 15, 32, 16, 0, berlin).Equal(first.Timestamp().AsTime()), "zone-less time read in Berlin: %s", first.Timestamp().AsTime())
	assertStr(t, first, "ml.timestamp.assumed_zone", "Europe/Berlin")
	assertStr(t, first, "deployment.cluster", "ml-us-west-2")

	inf := out.At(1)
	user, _ := field(inf, "request_context.user_id")
	assert.Regexp(t, `^hmac-sha256:[0-9a-f]{32}$`, user.Str())
	assert.NotContains(t, user.Str(), "user_5f2c9e1a")
	cohort, ok := field(inf, "request_context.user_id_cohort")
	require.True(t, ok)
	assert.Less(t, cohort.Int(), int64(16))
	vec, _ := field(inf, "input_features_vector")
	require.Equal(t, pcommon.ValueTypeMap, vec.Type(), "a 100-dimension vector over the limit of 16 becomes a summary")
	dim, _ := vec.Map().Get("dimension")
	assert.Equal(t, int64(100), dim.Int())
	norm, _ := vec.Map().Get("l2_norm")
	assert.InDelta(t, l2(100), norm.Double(), 1e-9)
	assert.Contains(t, tags(inf), "truncated")
	assert.Equal(t, plog.SeverityNumberError, out.At(2).SeverityNumber(), "severity_fields: [levelname]")

	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_ml_schema_dropped", map[string]string{"reason": "invalid_schema"}))

	// The same key gives the same hash in another collector: joins across services still work.
	h2 := newHarness(t, cfg)
	ld2, recs2 := newLogs("other")
	appendRecord(t, recs2, seedRecord(t, "01_inference_seed.json"), attributes)
	other, _ := field(h2.run(t, ld2).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0), "request_context.user_id")
	assert.Equal(t, user.Str(), other.Str())
}

func TestAnomalyFlags(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Anomaly.WarmUp = 20
	h := newHarness(t, cfg)
	ld, recs := newLogs("recommendation-model-prod")
	for i := range 60 {
		latency := 80 + (i%7)*3 // 80..98 ms, steady
		appendRecord(t, recs, inferenceLine("collaborative_filtering_v3", "prod", latency, 0.9-float64(i%5)*0.01), mapBody)
	}
	appendRecord(t, recs, inferenceLine("collaborative_filtering_v3", "prod", 420, 0.9), mapBody)
	appendRecord(t, recs, inferenceLine("collaborative_filtering_v3", "prod", 88, 0.21), mapBody)
	// Another series is cold: the same spike is not judged against someone else's history.
	appendRecord(t, recs, inferenceLine("collaborative_filtering_v3", "canary", 420, 0.9), mapBody)

	out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range 60 {
		_, flagged := field(out.At(i), "anomaly_signals.latency_anomalous")
		assert.False(t, flagged, "steady record %d", i)
	}
	spike := out.At(60)
	assertBool(t, spike, "anomaly_signals.latency_anomalous", true)
	z, _ := field(spike, "anomaly_signals.latency_zscore")
	assert.Greater(t, z.Double(), 3.0)
	assert.Contains(t, tags(spike), "anomalous")
	assertBool(t, out.At(61), "anomaly_signals.confidence_anomalous", true)
	_, coldFlagged := field(out.At(62), "anomaly_signals.latency_anomalous")
	assert.False(t, coldFlagged)
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_ml_schema_anomalies", map[string]string{"signal": "latency"}))
	assert.Equal(t, int64(1), h.counter(t, "otelcol_processor_ml_schema_anomalies", map[string]string{"signal": "confidence"}))
}

func TestAnomalyStateIsBounded(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Anomaly.MaxSeries = 3
	h := newHarness(t, cfg)
	ld, recs := newLogs("recommendation-model-prod")
	for i := range 50 {
		appendRecord(t, recs, inferenceLine(fmt.Sprintf("model-%d", i), "prod", 80, 0.9), mapBody)
	}
	h.run(t, ld)
	m, err := h.tel.GetMetric("otelcol_processor_ml_schema_anomaly_series")
	require.NoError(t, err)
	points := m.Data.(metricdata.Gauge[int64]).DataPoints
	require.Len(t, points, 1)
	assert.Equal(t, int64(3), points[0].Value, "the detector keeps at most max_series series")
}

func TestSamplingKeepsWhatMattersAndWeighsTheRest(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Sampling.Enabled = true
	cfg.Sampling.Fraction = 0.25
	cfg.Anomaly.Enabled = false
	build := func() plog.Logs {
		ld, recs := newLogs("recommendation-model-prod")
		for i := range 4000 {
			rec := appendRecord(t, recs, inferenceLine("m", "prod", 80, 0.9), mapBody)
			res, _ := legacyid.Default.Map(fmt.Sprintf("job-%d", i))
			rec.SetTraceID(pcommon.TraceID(res.TraceID))
		}
		appendRecord(t, recs, inferenceLine("m", "prod", 900, 0.9), mapBody) // slow
		errRec := appendRecord(t, recs, inferenceLine("m", "prod", 80, 0.9), mapBody)
		errRec.SetSeverityNumber(plog.SeverityNumberError)
		appendRecord(t, recs, `{"event_type": "inference_complete"}`, mapBody) // invalid
		return ld
	}
	out1 := newHarness(t, cfg).run(t, build())
	h := newHarness(t, cfg)
	out2 := h.run(t, build())

	recs := out1.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	weighted, slow, errors, invalid := 0.0, 0, 0, 0
	for i := 0; i < recs.Len(); i++ {
		rec := recs.At(i)
		w, ok := field(rec, "ml.sampling.weight")
		require.True(t, ok, "every kept record carries its weight")
		weighted += w.Double()
		switch {
		case rec.SeverityNumber() >= plog.SeverityNumberError:
			errors++
			assert.InDelta(t, 1.0, w.Double(), 0)
		case contains(tags(rec), "high_latency"):
			slow++
		case contains(tags(rec), "invalid_schema"):
			invalid++
		default:
			assert.InDelta(t, 4.0, w.Double(), 0)
		}
	}
	assert.Equal(t, 1, slow)
	assert.Equal(t, 1, errors)
	assert.Equal(t, 1, invalid)
	assert.InDelta(t, 4003, weighted, 4003*0.08, "re-weighted counts estimate the total")
	assert.Equal(t, recs.Len(), out2.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().Len(), "same decisions in another collector")
	for i := 0; i < recs.Len(); i++ {
		assert.Equal(t, recs.At(i).TraceID(), out2.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(i).TraceID())
	}
	dropped := h.counter(t, "otelcol_processor_ml_schema_dropped", map[string]string{"reason": "sampled_out"})
	assert.Equal(t, int64(4003-recs.Len()), dropped, "every record not forwarded is counted")
}

func TestHostileInputSurvives(t *testing.T) {
	h := newHarness(t, createDefaultConfig())
	ld, recs := newLogs("hostile")
	deep := `{"event_type": "inference_complete", "x": ` + repeat("[", 1000) + repeat("]", 1000) + `}`
	huge := `{"message": "` + repeat("a", 10<<20) + `"}`
	for _, body := range []string{deep, huge, "{\"a\": \"\xff\xfe\"}", `{"timestamp": "99999-01-01T00:00:00Z", "level": 42}`, `{"a": NaN}`, `{`, ``} {
		appendRecord(t, recs, body, jsonBody)
	}
	out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 7, out.Len(), "every hostile record is kept")
	assert.Contains(t, tags(out.At(0)), "truncated")
	msg, ok := field(out.At(1), "message")
	require.True(t, ok, "the over-long message is kept, cut")
	assert.NotEmpty(t, msg.Str())
	assert.LessOrEqual(t, len(msg.Str()), createDefaultConfig().Guard.MaxStringLength)
	assert.Contains(t, tags(out.At(1)), "truncated")
	assert.Contains(t, tags(out.At(3)), "invalid_timestamp")
	assert.Equal(t, plog.SeverityNumberError, out.At(3).SeverityNumber(), "Python levelno 42 is an error")
	assert.Contains(t, tags(out.At(4)), "invalid_json")
	assert.Contains(t, tags(out.At(5)), "invalid_json")
}

// A string over max_string_length is cut at a UTF-8 boundary and listed once in
// ml.schema.invalid with its path and its true length in bytes; a long value under the limit
// (600 CJK characters, 1800 bytes) is untouched.
func TestCutStringsRecordTheirOriginalLength(t *testing.T) {
	h := newHarness(t, createDefaultConfig())
	ld, recs := newLogs("api")
	cjk := repeat("文", 600)
	rec := appendRecord(t, recs, `{"request_id": "`+cjk+`", "message": "`+repeat("é", 30000)+`", "ctx": {"prompt": "`+repeat("a", 50000)+`"}}`, jsonBody)
	rec.Attributes().PutStr("note", repeat("b", 32768))
	out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)

	id, _ := field(out, "request_id")
	assert.Equal(t, cjk, id.Str(), "under the limit: kept whole")
	note, _ := out.Attributes().Get("note")
	assert.Len(t, note.Str(), 32768, "at the limit: kept whole")
	msg, _ := field(out, "message")
	assert.Len(t, msg.Str(), 32768, "60 000 bytes of 2-byte runes, cut at a rune boundary at the limit")
	prompt, _ := field(out, "ctx.prompt")
	assert.Len(t, prompt.Str(), 32768)

	invalid, ok := field(out, schema.FieldInvalid)
	require.True(t, ok)
	got := map[string]int64{}
	for _, e := range invalid.Slice().All() {
		path, _ := e.Map().Get("path")
		reason, _ := e.Map().Get("reason")
		length, _ := e.Map().Get("original_length")
		assert.Equal(t, schema.ReasonTooLong, reason.Str())
		got[path.Str()] = length.Int()
	}
	assert.Equal(t, map[string]int64{"message": 60000, "ctx.prompt": 50000}, got)
	assert.Contains(t, tags(out), "truncated")
}

func inferenceLine(model, variant string, latencyMS int, confidence float64) string {
	return fmt.Sprintf(`{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "r", "service": "s", "event_type": "inference_complete", `+
		`"model_metadata": {"model_name": %q, "model_version": "3.2.1", "serving_variant": %q}, `+
		`"inference_metrics": {"latency_ms": %d}, "output": {"confidence_scores": [%v], "items_above_threshold": 3}}`,
		model, variant, latencyMS, confidence)
}

func floats(n int) string {
	s := ""
	for i := range n {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%v", float64(i)/10)
	}
	return s
}

func l2(n int) float64 {
	sq := 0.0
	for i := range n {
		sq += (float64(i) / 10) * (float64(i) / 10)
	}
	return math.Sqrt(sq)
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func assertNum(t *testing.T, rec plog.LogRecord, path string, want float64) {
	t.Helper()
	v, ok := field(rec, path)
	if !assert.True(t, ok, "%s missing", path) {
		return
	}
	var got float64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		got = float64(v.Int())
	case pcommon.ValueTypeDouble:
		got = v.Double()
	default:
		t.Errorf("%s is %s, not a number", path, v.Type())
		return
	}
	assert.InDelta(t, want, got, 1e-9, path)
}

func assertStr(t *testing.T, rec plog.LogRecord, path, want string) {
	t.Helper()
	v, ok := field(rec, path)
	if assert.True(t, ok, "%s missing", path) {
		assert.Equal(t, want, v.AsString(), path)
	}
}

func assertBool(t *testing.T, rec plog.LogRecord, path string, want bool) {
	t.Helper()
	v, ok := field(rec, path)
	if assert.True(t, ok, "%s missing", path) {
		assert.Equal(t, want, v.Bool(), path)
	}
}

// What a record says is not overwritten: its own ml.schema.errors stay (and a second pass —
// sidecar, then gateway — adds no duplicates), and a whole number too big for an int field
// stays the number it was instead of being clamped to the int range.
func TestRecordsOwnValuesSurvive(t *testing.T) {
	h := newHarness(t, createDefaultConfig())
	ld, recs := newLogs("api")
	appendRecord(t, recs, `{"event_type": "training_epoch_end", "epoch": 1e300, "ml.schema.errors": "my own"}`, jsonBody)
	out := h.run(t, ld)
	again := newHarness(t, createDefaultConfig()).run(t, out)
	rec := again.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	errs := schemaErrors(rec)
	require.NotEmpty(t, errs)
	assert.Equal(t, "my own", errs[0])
	seen := map[string]bool{}
	for _, e := range errs {
		assert.False(t, seen[e], "%q twice", e)
		seen[e] = true
	}
	epoch, _ := field(rec, "epoch")
	assert.Equal(t, pcommon.ValueTypeDouble, epoch.Type())
	assert.Equal(t, 1e300, epoch.Double())
}

// guard.redact masks secrets wherever a record holds strings — attributes, a map body's
// nested fields, a text body — counts them on the record and in telemetry, and leaves
// records without secrets untouched.
func TestRedaction(t *testing.T) {
	h := newHarness(t, testutil.ComponentConfig[*Config](t, NewFactory(), "redact"))
	ld, recs := newLogs("api")
	withSecrets := appendRecord(t, recs, `{"message": "calling", "headers": {"authorization": "Bearer eyJhbGciOi.J9.abc=="}, "cfg": ["api_key=sk_live_1234567890"]}`, jsonBody)
	withSecrets.Attributes().PutStr("note", "token: abcdefgh12345678")
	text := recs.AppendEmpty()
	text.Body().SetStr("2024-05-14 10:03:22,501 ERROR upload failed, SECRET='hunter2hunter2' rejected")
	clean := appendRecord(t, recs, `{"message": "Starting processing for model: resnet50"}`, jsonBody)
	_ = clean
	out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()

	rec := out.At(0)
	auth, _ := field(rec, "headers.authorization")
	assert.Equal(t, "****", auth.Str())
	cfg, _ := field(rec, "cfg")
	assert.Equal(t, "****", cfg.Slice().At(0).Str())
	note, _ := rec.Attributes().Get("note")
	assert.Equal(t, "****", note.Str())
	count, _ := field(rec, AttrRedacted)
	assert.Equal(t, int64(3), count.Int())

	assert.Equal(t, "2024-05-14 10:03:22,501 ERROR upload failed, ****' rejected", out.At(1).Body().Str())
	_, redacted := field(out.At(2), AttrRedacted)
	assert.False(t, redacted)
	msg, _ := field(out.At(2), "message")
	assert.Equal(t, "Starting processing for model: resnet50", msg.Str())
	assert.Equal(t, int64(4), h.counter(t, "otelcol_processor_ml_schema_redacted", nil))
}

// guard.redact_keys masks the whole value of a field named like a secret, whatever its
// spelling, depth or type, in attributes, map bodies and maps inside arrays; names that only
// look alike (input_tokens, token_count) are kept.
func TestRedactionByKeyName(t *testing.T) {
	h := newHarness(t, testutil.ComponentConfig[*Config](t, NewFactory(), "redact"))
	ld, recs := newLogs("api")
	rec := appendRecord(t, recs, `{"message": "calling", "apiKey": "k1", "headers": {"X-API-Key": "k2", "Content-Type": "json"},
		"sessions": [{"accessToken": "k3"}], "db": {"password": 12345678}, "auth": {"token": {"kind": "jwt", "value": "k4"}},
		"input_tokens": 512, "token_count": 7, "tokenizer": "bpe", "empty_token": ""}`, jsonBody)
	rec.Attributes().PutStr("http.request.header.authorization", "Basic k5")
	rec.Attributes().PutEmptyMap("client").PutStr("API_KEY", "k6")
	out := h.run(t, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)

	for _, path := range []string{"apiKey", "headers.X-API-Key", "db.password", "auth.token", "http.request.header.authorization", "client.API_KEY"} {
		v, ok := field(out, path)
		if assert.True(t, ok, path) {
			assert.Equal(t, "****", v.AsString(), path)
		}
	}
	sessions, _ := field(out, "sessions")
	tok, _ := sessions.Slice().At(0).Map().Get("accessToken")
	assert.Equal(t, "****", tok.Str())
	for path, want := range map[string]string{"input_tokens": "512", "token_count": "7", "tokenizer": "bpe", "headers.Content-Type": "json", "empty_token": ""} {
		v, _ := field(out, path)
		assert.Equal(t, want, v.AsString(), path)
	}
	count, _ := field(out, AttrRedacted)
	assert.Equal(t, int64(7), count.Int())
	assert.Equal(t, int64(7), h.counter(t, "otelcol_processor_ml_schema_redacted", nil))
}

// Shutdown unregisters the series gauge (a reloaded configuration's old processor stops
// reporting) and forgets the detector's series.
func TestShutdownReleasesTheDetector(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	p, err := NewFactory().CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(
		`{"event_type": "inference_complete", "model_metadata": {"model_name": "m", "model_version": "1"}, "inference_metrics": {"latency_ms": 10}}`)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	_, err = tel.GetMetric("otelcol_processor_ml_schema_anomaly_series")
	require.NoError(t, err, "the gauge reports while the processor runs")

	require.NoError(t, p.Shutdown(context.Background()))
	_, err = tel.GetMetric("otelcol_processor_ml_schema_anomaly_series")
	assert.Error(t, err, "after Shutdown the callback is gone: nothing is observed")
}
