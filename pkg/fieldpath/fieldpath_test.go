// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package fieldpath

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestGet(t *testing.T) {
	m := pcommon.NewMap()
	m.PutStr("trace.id", "flat")
	meta := m.PutEmptyMap("model_metadata")
	meta.PutStr("model_version", "v3.2.1")
	meta.PutStr("serving.variant", "canary") // flattened inside nested
	deep := m.PutEmptyMap("a").PutEmptyMap("b")
	deep.PutInt("c", 7)
	m.PutStr("x.y", "exact-beats-nested")
	m.PutEmptyMap("x").PutStr("y", "nested")

	cases := map[string]string{
		"trace.id":                       "flat",
		"model_metadata.model_version":   "v3.2.1",
		"model_metadata.serving.variant": "canary",
		"a.b.c":                          "7",
		"x.y":                            "exact-beats-nested",
	}
	for path, want := range cases {
		v, ok := Get(m, path)
		if !ok || v.AsString() != want {
			t.Errorf("Get(%q) = %q, %v; want %q", path, v.AsString(), ok, want)
		}
	}
	for _, path := range []string{"", "missing", "model_metadata.missing", "a.b.c.d", "a.", ".a", "trace"} {
		if v, ok := Get(m, path); ok {
			t.Errorf("Get(%q) found %q", path, v.AsString())
		}
	}
}

func BenchmarkGetNested(b *testing.B) {
	m := pcommon.NewMap()
	for _, k := range []string{"timestamp", "request_id", "service", "event_type"} {
		m.PutStr(k, "v")
	}
	m.PutEmptyMap("model_metadata").PutStr("model_version", "v3.2.1")
	b.ReportAllocs()
	for b.Loop() {
		Get(m, "model_metadata.model_version")
	}
}

func TestSlot(t *testing.T) {
	m := pcommon.NewMap()
	m.PutEmptyMap("output").PutDouble("x", 1)
	Slot(m, "output.mean_confidence").SetDouble(0.75)
	Slot(m, "anomaly_signals.latency_anomalous").SetBool(true)
	Slot(m, "output.x").SetDouble(2)
	out, _ := m.Get("output")
	if v, ok := out.Map().Get("mean_confidence"); !ok || v.Double() != 0.75 {
		t.Fatal("did not write into the existing nested map")
	}
	if v, ok := out.Map().Get("x"); !ok || v.Double() != 2 {
		t.Fatal("did not overwrite the existing field")
	}
	if v, ok := m.Get("anomaly_signals.latency_anomalous"); !ok || !v.Bool() {
		t.Fatal("did not write a flattened key where no map exists")
	}
	if got, ok := Get(m, "anomaly_signals.latency_anomalous"); !ok || !got.Bool() {
		t.Fatal("Get does not read back what Slot wrote")
	}
}

// inferenceRecord is the ML log schema's inference record as a parsed body: 17 top-level
// keys, the contract's fields nested one level down.
func inferenceRecord() pcommon.Map {
	m := pcommon.NewMap()
	for _, k := range []string{"timestamp", "request_id", "service", "environment", "log_level", "event_type", "trace_id"} {
		m.PutStr(k, "value of "+k)
	}
	nested := map[string][]string{
		"model_metadata":    {"model_name", "model_version", "training_date", "serving_variant"},
		"request_context":   {"user_id", "session_id", "timestamp_ms", "batch_size"},
		"input_features":    {"feature_vector_hash", "feature_count", "feature_store_latency_ms", "cache_hit", "feature_engineering_duration_ms"},
		"inference_metrics": {"latency_ms", "gpu_memory_mb", "batch_processing_time_ms", "post_processing_time_ms"},
		"output":            {"prediction", "confidence_scores", "confidence_threshold_applied", "items_above_threshold"},
		"quality_metrics":   {"input_tokens", "output_tokens", "perplexity"},
		"anomaly_signals":   {"latency_anomalous", "confidence_anomalous", "drift_score"},
	}
	for _, k := range []string{"model_metadata", "request_context", "input_features", "inference_metrics", "output", "quality_metrics", "anomaly_signals"} {
		sub := m.PutEmptyMap(k)
		for _, f := range nested[k] {
			sub.PutInt(f, 1)
		}
	}
	m.PutEmptyMap("ml").PutEmptyMap("schema").PutStr("version", "1")
	m.PutEmptySlice("tags")
	m.PutStr("deployment.environment", "production")
	return m
}

// BenchmarkGetRecord looks up what validation and the derived metrics read from an inference
// record: nested fields, a top-level one, and fields the record does not have.
func BenchmarkGetRecord(b *testing.B) {
	m := inferenceRecord()
	paths := []string{
		"model_metadata.model_name", "inference_metrics.latency_ms", "anomaly_signals.drift_score",
		"service", "output.mean_confidence", "inference_metrics.latency_seconds", "metrics.train_loss",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			Get(m, p)
		}
	}
}
