package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFind(t *testing.T) {
	paths := []string{"trace_id", "trace.id", "X-Trace-ID", "request_id"}
	cases := []struct {
		name, doc string
		idx       int
		text      string
		kind      Kind
	}{
		{"asctime line", `{"timestamp": "2024-05-01 12:00:00,123", "level": "INFO", "message": "Job received", "trace_id": "xyz-123"}`, 0, "xyz-123", KindString},
		{"priority beats order", `{"request_id": "r-1", "trace_id": "t-1"}`, 0, "t-1", KindString},
		{"later path when earlier absent", `{"request_id": 12345}`, 3, "12345", KindNumber},
		{"nested", `{"trace": {"span": 1, "id": "abc"}}`, 1, "abc", KindString},
		{"flattened key", `{"trace.id": "flat"}`, 1, "flat", KindString},
		{"escaped value", `{"trace_id": "a\"b\u00e9"}`, 0, "a\"bé", KindString},
		{"escaped key", `{"trace\u005fid": "k"}`, 0, "k", KindString},
		{"skips nested noise", `{"a": [1, {"trace_id": "deep"}, "}"], "b": {"c": "{["}, "trace_id": "top"}`, 0, "top", KindString},
		{"first occurrence wins", `{"trace_id": "one", "trace_id": "two"}`, 0, "one", KindString},
		{"null", `{"trace_id": null}`, 0, "null", KindNull},
		{"absent", `{"message": "no id here"}`, -1, "", 0},
		{"empty object", `{}`, -1, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx, v, err := Find(c.doc, paths)
			if err != nil {
				t.Fatal(err)
			}
			if idx != c.idx || v.Text() != c.text || v.Kind != c.kind {
				t.Fatalf("got %d %q kind %d; want %d %q kind %d", idx, v.Text(), v.Kind, c.idx, c.text, c.kind)
			}
		})
	}
}

func TestFindMalformed(t *testing.T) {
	for _, doc := range []string{
		``, `[]`, `"s"`, `{`, `{"a"`, `{"a":`, `{"a": "unterminated}`, `{"a": 1,}`, `{"a" 1}`,
		`{"a": tru}`, `{"a": [1, 2}`, `{"a": -}`,
		// The seed's Python Formatter puts an unescaped quote into the message.
		`{"timestamp": "2024-05-01 12:00:00,123", "level": "ERROR", "message": "model "fail-me" raised", "trace_id": "xyz-123"}`,
	} {
		if _, _, err := Find(doc, []string{"trace_id"}); err == nil {
			t.Errorf("Find(%q) reported no error", doc)
		}
	}
}

func TestDeepNestingDoesNotExhaustTheStack(t *testing.T) {
	doc := `{"a": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `, "trace_id": "x"}`
	idx, v, err := Find(doc, []string{"trace_id"})
	if err != nil || idx != 0 || v.Text() != "x" {
		t.Fatalf("got %d %q %v", idx, v.Text(), err)
	}
	deepObj := strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000)
	if _, _, err := Find(deepObj, []string{strings.Repeat("a.", 4999) + "a"}); err != nil {
		t.Fatal(err)
	}
}

func TestFindDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race; make test runs this without it")
	}
	doc := `{"timestamp": "2024-05-01 12:00:00,123", "level": "INFO", "worker_id": "gpu-7", "trace_id": "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "message": "Starting processing"}`
	paths := []string{"trace_id", "trace.id", "traceId", "request_id"}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = Find(doc, paths) }); n != 0 {
		t.Fatalf("Find allocates %.0f times", n)
	}
}

// FuzzFind checks Find against encoding/json on top-level string fields and that it never
// panics or hangs on arbitrary input.
func FuzzFind(f *testing.F) {
	f.Add(`{"trace_id": "xyz-123"}`)
	f.Add(`{"a": {"trace_id": 1}, "trace_id": "t\n"}`)
	f.Add(`{"message": "model "fail-me" raised", "trace_id": "x"}`)
	f.Add(`{"trace": {"id": "nested"}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		idx, v, err := Find(doc, []string{"trace_id", "trace.id"})
		var decoded map[string]any
		// Find only reads objects: "null" decodes into a nil map without error but is no object.
		if json.Unmarshal([]byte(doc), &decoded) != nil || decoded == nil {
			return
		}
		if err != nil {
			t.Fatalf("Find rejected valid JSON %q: %v", doc, err)
		}
		want, isString := decoded["trace_id"].(string)
		// Find keeps invalid UTF-8 as written (IDs hash over their exact bytes); encoding/json
		// replaces it, so such documents are only checked for not panicking.
		if !isString || strings.Count(doc, "trace_id") != 1 || strings.Contains(doc, `\`) || !utf8.ValidString(doc) {
			return
		}
		if idx != 0 || v.Text() != want {
			t.Fatalf("Find(%q) = %d %q; encoding/json says %q", doc, idx, v.Text(), want)
		}
	})
}

func BenchmarkFind(b *testing.B) {
	doc := `{"timestamp": "2024-05-01 12:00:00,123", "level": "INFO", "worker_id": "gpu-7", "trace_id": "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "message": "Starting processing for model: resnet"}`
	paths := []string{"trace_id", "trace.id", "traceId", "x-trace-id", "X-Trace-ID", "request_id"}
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		_, _, _ = Find(doc, paths)
	}
}

func TestFindStopsAtTheBestPath(t *testing.T) {
	idx, v, err := Find(`{"trace_id": "a", "message": "model "fail-me" raised"`, []string{"trace_id", "request_id"})
	if err != nil || idx != 0 || v.Text() != "a" {
		t.Fatalf("got %d %q %v; the text after the best path is not read", idx, v.Text(), err)
	}
	if _, _, err := Find(`{"request_id": "a", "message": "model "fail-me" raised"`, []string{"trace_id", "request_id"}); err == nil {
		t.Fatal("a better path could follow: the break must be found")
	}
}

func TestFindReadsBackslashRuns(t *testing.T) {
	doc := `{"a": "ends with a backslash \\", "b": "quote \" inside \\\" too", "trace_id": "t"}`
	idx, v, err := Find(doc, []string{"trace_id"})
	if err != nil || idx != 0 || v.Text() != "t" {
		t.Fatalf("got %d %q %v", idx, v.Text(), err)
	}
}
