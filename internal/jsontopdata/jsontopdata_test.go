// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package jsontopdata

import (
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsonfind"
)

func TestParseObject(t *testing.T) {
	doc := `{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-1", "n": 87, "f": 0.94, "big": 1e400,
		"ok": true, "nothing": null, "arr": [1, "two", {"three": 3}], "nested": {"a": {"b": "c"}}}`
	m := pcommon.NewMap()
	res, err := ParseObject(doc, m, 32)
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated {
		t.Error("nothing should be truncated")
	}
	want := map[string]any{
		"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-1", "n": int64(87), "f": 0.94, "big": "1e400",
		"ok": true, "nothing": nil, "arr": []any{int64(1), "two", map[string]any{"three": int64(3)}},
		"nested": map[string]any{"a": map[string]any{"b": "c"}},
	}
	gotJSON, _ := json.Marshal(m.AsRaw())
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestDepthCap(t *testing.T) {
	doc := `{"a": {"b": {"c": {"d": 1}}}, "x": 2}`
	m := pcommon.NewMap()
	res, err := ParseObject(doc, m, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated {
		t.Fatal("expected truncation")
	}
	b, _ := m.Get("a")
	c, _ := b.Map().Get("b")
	if c.Type() != pcommon.ValueTypeStr || c.Str() != `{"c": {"d": 1}}` {
		t.Fatalf("deep subtree kept as %v %q", c.Type(), c.AsString())
	}
	deep := `{"a": ` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`
	if _, err := ParseObject(deep, pcommon.NewMap(), 16); err != nil {
		t.Fatal(err)
	}
}

func TestRejects(t *testing.T) {
	for _, doc := range []string{``, `[]`, `"x"`, `{`, `{"a": 1} {}`, `{"a": NaN}`, `{"message": "model "fail-me" raised"}`, `{"a": 1,}`,
		`{"a": 01}`, `{"a": "\q"}`, "{\"a\": \"raw\ttab\"}", `{"a": [1}`} {
		m := pcommon.NewMap()
		m.PutStr("keep", "me")
		if _, err := ParseObject(doc, m, 8); err == nil {
			t.Errorf("accepted %q", doc)
		}
		if v, ok := m.Get("keep"); !ok || v.Str() != "me" {
			t.Errorf("destination changed on error for %q", doc)
		}
	}
}

// FuzzParseObject checks ParseObject against encoding/json (it accepts exactly the JSON
// objects) and against the bridge's jsonfind.Find, which reads the same bodies: both accept the
// same documents, and the trace_id Find returns is the one ParseObject stores.
func FuzzParseObject(f *testing.F) {
	f.Add(`{"a": [1, {"b": null}], "c": "d"}`)
	f.Add(`{"message": "model "fail-me" raised"}`)
	f.Add(`{"x": 1e999, "y": -0, "z": "\ud800"}`)
	f.Add(`{"trace_id": "one", "trace_id": "tw\u00f6"}`)
	f.Add(`{"trace_id": "a", "message": "broken "quote" after the ID"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		m := pcommon.NewMap()
		_, err := ParseObject(doc, m, 8)
		isObject := json.Valid([]byte(doc)) && strings.HasPrefix(strings.TrimLeft(doc, " \t\r\n"), "{")
		if (err == nil) != isObject {
			t.Fatalf("ParseObject err=%v, but json.Valid && object = %v for %q", err, isObject, doc)
		}
		idx, found, findErr := jsonfind.Find(doc, []string{"trace_id"})
		if (findErr == nil) != (err == nil) {
			t.Fatalf("jsonfind.Find err=%v, ParseObject err=%v for %q", findErr, err, doc)
		}
		stored, present := m.Get("trace_id")
		if err != nil || present != (idx == 0) {
			if err == nil {
				t.Fatalf("Find found trace_id: %v; ParseObject stored it: %v; for %q", idx == 0, present, doc)
			}
			return
		}
		if present && found.Kind == jsonfind.KindString && stored.Str() != found.Text() {
			t.Fatalf("Find read trace_id %q, ParseObject stored %q, for %q", found.Text(), stored.Str(), doc)
		}
	})
}

func BenchmarkParseInferenceRecord(b *testing.B) {
	doc := `{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-8f4c2a1b-92d3-4e8c-b2f1-5d3c1e9a2b4f", "service": "recommendation-model-prod", "environment": "production", "log_level": "INFO", "event_type": "inference_complete", "model_metadata": {"model_name": "collaborative_filtering_v3", "model_version": "3.2.1", "training_date": "2026-02-20", "serving_variant": "prod-shadow-test"}, "inference_metrics": {"latency_ms": 87, "gpu_memory_mb": 324}, "output": {"prediction": [4, 12, 7, 2, 18], "confidence_scores": [0.94, 0.87, 0.76, 0.65, 0.52]}}`
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseObject(doc, pcommon.NewMap(), 16)
	}
}
