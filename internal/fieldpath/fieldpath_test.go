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
