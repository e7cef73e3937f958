// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package jsonfind

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
		{"last occurrence wins, as in a parsed map", `{"trace_id": "one", "trace_id": "two"}`, 0, "two", KindString},
		{"nested and flattened: the later wins", `{"trace": {"id": "n"}, "trace.id": "f"}`, 1, "f", KindString},
		{"object value", `{"trace_id": {"a": [1]}}`, 0, `{"a": [1]}`, KindObject},
		{"null", `{"trace_id": null}`, 0, "null", KindNull},
		{"absent", `{"message": "no id here"}`, -1, "", 0},
		{"empty object", `{}`, -1, "", 0},
		{"white space around", " \n\t{\"trace_id\": \"ws\"} \r\n", 0, "ws", KindString},
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
		`{"a": tru}`, `{"a": [1, 2}`, `{"a": -}`, `{"a": 01}`, `{"a": .5}`, `{"a": "\x"}`,
		"{\"a\": \"raw\ttab\"}", `{"trace_id": "t"} trailing`,
		// The seed's Python Formatter puts an unescaped quote into the message.
		`{"timestamp": "2024-05-01 12:00:00,123", "level": "ERROR", "message": "model "fail-me" raised", "trace_id": "xyz-123"}`,
		// The whole document is checked, also after the best path: ml_schema, which parses the
		// same body, would tag it invalid_json, and the bridge must not read it as JSON either.
		`{"trace_id": "xyz-123", "message": "model "fail-me" raised"}`,
		`{"trace_id": "xyz-123", "a": [1, 2}`,
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

// FuzzFind checks Find against encoding/json: it accepts exactly the JSON objects, and finds
// the top-level trace_id that encoding/json decodes (the last, when given twice).
func FuzzFind(f *testing.F) {
	f.Add(`{"trace_id": "xyz-123"}`)
	f.Add(`{"a": {"trace_id": 1}, "trace_id": "t\n"}`)
	f.Add(`{"message": "model "fail-me" raised", "trace_id": "x"}`)
	f.Add(`{"trace": {"id": "nested"}}`)
	f.Add(`{"trace_id": "one", "trace\u005fid": "two"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		idx, v, err := Find(doc, []string{"trace_id", "trace.id"})
		var decoded map[string]any
		// "null" decodes into a nil map without error but is no object.
		isObject := json.Unmarshal([]byte(doc), &decoded) == nil && decoded != nil
		if (err == nil) != isObject {
			t.Fatalf("Find err=%v; encoding/json reads an object: %v; for %q", err, isObject, doc)
		}
		if !isObject {
			return
		}
		want, present := decoded["trace_id"]
		if present != (idx == 0) {
			t.Fatalf("Find(%q) = path %d; encoding/json has trace_id: %v", doc, idx, present)
		}
		// encoding/json replaces invalid UTF-8, Find keeps it (IDs hash over their exact bytes).
		if s, isString := want.(string); isString && utf8.ValidString(doc) && v.Text() != s {
			t.Fatalf("Find(%q) = %q; encoding/json says %q", doc, v.Text(), s)
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

func TestFindReadsBackslashRuns(t *testing.T) {
	doc := `{"a": "ends with a backslash \\", "b": "quote \" inside \\\" too", "trace_id": "t"}`
	idx, v, err := Find(doc, []string{"trace_id"})
	if err != nil || idx != 0 || v.Text() != "t" {
		t.Fatalf("got %d %q %v", idx, v.Text(), err)
	}
}
