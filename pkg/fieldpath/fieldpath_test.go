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
