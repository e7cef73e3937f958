// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package jsontoken

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSkipValueAcceptsJSON(t *testing.T) {
	for _, doc := range []string{
		`{}`, `[]`, `{"a": [1, -0.5e+3, "x\"y\\", true, false, null, {"b": {}}], "c": []}`,
		`"\u00e9\ud83d\ude00 \/ \b\f\n\r\t"`, `0`, `-12`, `1E9`, ` [ [ [ ] ] ] `,
		`{"message": "ends with a backslash \\"}`,
	} {
		l := Lexer{Doc: doc}
		if _, err := l.SkipValue(); err != nil {
			t.Errorf("%q: %v", doc, err)
		} else if err := l.End(); err != nil {
			t.Errorf("%q: %v", doc, err)
		}
	}
}

func TestSkipValueRefuses(t *testing.T) {
	cases := map[string]string{
		`{"a": "tab	inside"}`:                   "control character in string",
		`{"a": "\x"}`:                           "invalid escape",
		`{"a": "\u12"}`:                         "invalid escape",
		`{"a": "open}`:                          "unterminated string",
		`{"a" 1}`:                               "':' expected",
		`{"a": 1,}`:                             "string expected",
		`{"a": 1 "b": 2}`:                       "',' or '}' expected",
		`[1 2]`:                                 "',' or ']' expected",
		`[1, 2}`:                                "',' or ']' expected",
		`{"a": 01}`:                             "',' or '}' expected",
		`{"a": 1.}`:                             "digits expected after '.'",
		`{"a": 1e}`:                             "digits expected in exponent",
		`{"a": -}`:                              "invalid number",
		`{"a": +1}`:                             "value expected",
		`{"a": tru}`:                            "invalid literal",
		`{"a": NaN}`:                            "value expected",
		`{"message": "model "fail-me" raised"}`: "',' or '}' expected",
		`[[[`:                                   "value expected",
	}
	for doc, msg := range cases {
		l := Lexer{Doc: doc}
		_, err := l.SkipValue()
		var syntax *SyntaxError
		if !errors.As(err, &syntax) || syntax.Msg != msg {
			t.Errorf("%q: got %v, want %q", doc, err, msg)
		}
	}
}

func TestEndRefusesTrailingData(t *testing.T) {
	l := Lexer{Doc: `{"a": 1} {"b": 2}`}
	if _, err := l.SkipValue(); err != nil {
		t.Fatal(err)
	}
	if err := l.End(); err == nil || l.Pos != 9 {
		t.Fatalf("trailing object accepted (err %v, pos %d)", err, l.Pos)
	}
}

func TestDeepNestingDoesNotExhaustTheStack(t *testing.T) {
	doc := strings.Repeat(`{"a": [`, 200000) + strings.Repeat(`]}`, 200000)
	l := Lexer{Doc: doc}
	if kind, err := l.SkipValue(); err != nil || kind != KindObject || l.Pos != len(doc) {
		t.Fatalf("kind %d, err %v, pos %d of %d", kind, err, l.Pos, len(doc))
	}
}

func TestUnescape(t *testing.T) {
	cases := map[string]string{
		`plain`:                   "plain",
		`a\"b\\c\/d`:              `a"b\c/d`,
		`\b\f\n\r\t`:              "\b\f\n\r\t",
		`\u00e9\u20AC`:            "é€",
		`\ud83d\ude00`:            "😀",
		`\ud800 lone`:             "\uFFFD lone",
		`\ud800\u0041`:            "\uFFFDA",
		`\ude00\ud83d`:            "\uFFFD\uFFFD",
		"invalid \xff kept as is": "invalid \xff kept as is",
	}
	for raw, want := range cases {
		if got := Unescape(raw); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", raw, got, want)
		}
	}
}

// FuzzSkipValue checks the tokenizer against encoding/json: a document is accepted exactly
// when json.Valid accepts it, and a string's contents decode as encoding/json decodes them.
func FuzzSkipValue(f *testing.F) {
	f.Add(`{"a": [1, {"b": null}], "c": "d"}`)
	f.Add(`{"message": "model "fail-me" raised"}`)
	f.Add(`{"x": 1e999, "y": -0, "z": "\ud800\u0041"}`)
	f.Add(`"\ud83d\ude00\u00e9\n"`)
	f.Add(`[01]`)
	f.Fuzz(func(t *testing.T, doc string) {
		l := Lexer{Doc: doc}
		kind, err := l.SkipValue()
		if err == nil {
			err = l.End()
		}
		if valid := json.Valid([]byte(doc)); (err == nil) != valid {
			t.Fatalf("SkipValue err=%v, json.Valid=%v for %q", err, valid, doc)
		}
		if err != nil || kind != KindString || !utf8.ValidString(doc) {
			return
		}
		var want string
		if json.Unmarshal([]byte(doc), &want) != nil {
			t.Fatalf("encoding/json cannot decode the string %q", doc)
		}
		s := strings.TrimSpace(doc)
		if got := Unescape(s[1 : len(s)-1]); got != want {
			t.Fatalf("Unescape(%q) = %q; encoding/json says %q", s, got, want)
		}
	})
}

func BenchmarkSkipValue(b *testing.B) {
	doc := `{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-8f4c2a1b-92d3-4e8c-b2f1-5d3c1e9a2b4f", "service": "recommendation-model-prod", "environment": "production", "log_level": "INFO", "event_type": "inference_complete", "model_metadata": {"model_name": "collaborative_filtering_v3", "model_version": "3.2.1", "training_date": "2026-02-20", "serving_variant": "prod-shadow-test"}, "inference_metrics": {"latency_ms": 87, "gpu_memory_mb": 324}, "output": {"prediction": [4, 12, 7, 2, 18], "confidence_scores": [0.94, 0.87, 0.76, 0.65, 0.52]}}`
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		l := Lexer{Doc: doc}
		_, _ = l.SkipValue()
	}
}

// Strings are checked eight bytes at a time and then byte by byte: a special byte at every
// offset of both must be seen, and high or DEL bytes must not be mistaken for one.
func TestStringSeesSpecialBytesAtEveryOffset(t *testing.T) {
	for _, special := range []string{"\x00", "\x01", "\x1f", `\n`, `\q`, `"`, "\x20", "\x7f", "\x80", "\xff", "!", "#", "[", "]"} {
		for at := 0; at < 24; at++ {
			doc := `"` + strings.Repeat("a", at) + special + strings.Repeat("b", 24-at) + `"`
			l := Lexer{Doc: doc}
			_, err := l.SkipValue()
			if err == nil {
				err = l.End()
			}
			if valid := json.Valid([]byte(doc)); (err == nil) != valid {
				t.Fatalf("%q: err %v, json.Valid %v", doc, err, valid)
			}
		}
	}
}

// Walk with no hooks reads and checks exactly what SkipValue does, and stops where it stops.
func FuzzWalkSkipsAsSkipValue(f *testing.F) {
	for _, s := range []string{`{"a": [1, {"b": "c"}], "d": null}`, `[[]]`, `"x"`, `-1.5e3`, `{"a":}`, `{"a" 1}`, `tru`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		skip, walk := Lexer{Doc: doc}, Lexer{Doc: doc}
		k1, err1 := skip.SkipValue()
		k2, err2 := walk.Walk(nil, nil)
		if (err1 == nil) != (err2 == nil) || (err1 == nil && (k1 != k2 || skip.Pos != walk.Pos)) {
			t.Fatalf("%q: SkipValue (%v, %v, %d), Walk (%v, %v, %d)", doc, k1, err1, skip.Pos, k2, err2, walk.Pos)
		}
	})
}
