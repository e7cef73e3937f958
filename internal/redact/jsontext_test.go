// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package redact

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// sidecarKeys are the shipped agent's key names (configs/sidecar.yaml).
var sidecarKeys = []string{"api_key", "token", "secret", "password", "passwd", "authorization", "cookie",
	"private_key", "access_key", "credentials"}

// reference is what redaction does to a parsed record, on encoding/json's parse: a secret
// member's whole value becomes the mask (unless null, empty or already masked), and the rules
// run over every other string.
func reference(r *Redactor, v any) (any, int) {
	switch v := v.(type) {
	case map[string]any:
		n := 0
		for k, val := range v {
			if r.SecretKey(k) {
				if s, isStr := val.(string); val == nil || (isStr && (s == "" || s == Mask)) {
					continue
				}
				v[k] = Mask
				n++
				continue
			}
			var m int
			v[k], m = reference(r, val)
			n += m
		}
		return v, n
	case []any:
		n := 0
		for i := range v {
			var m int
			v[i], m = reference(r, v[i])
			n += m
		}
		return v, n
	case string:
		return r.String(v)
	}
	return v, 0
}

func decode(t testing.TB, doc string) (any, bool) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil, false
	}
	if strings.TrimLeft(doc[d.InputOffset():], " \t\r\n") != "" { // more after the document
		return nil, false
	}
	_, isObject := v.(map[string]any)
	return v, isObject
}

// checkAgainstReference: JSON(doc) parses to what redacting doc's parse gives, counts at least
// as many masked values, refuses exactly what is not one JSON object, and changes nothing it need not.
func checkAgainstReference(t *testing.T, r *Redactor, doc string) {
	t.Helper()
	out, n, ok := r.JSON(doc)
	parsed, valid := decode(t, doc)
	if ok != valid {
		t.Fatalf("%q: ok=%v, encoding/json says object=%v", doc, ok, valid)
	}
	if !ok {
		if out != doc || n != 0 {
			t.Fatalf("%q: a refused document must come back unchanged", doc)
		}
		return
	}
	want, wantN := reference(r, parsed)
	got, gotValid := decode(t, out)
	if !gotValid {
		t.Fatalf("%q: the redacted document %q is not JSON", doc, out)
	}
	// A name given twice is masked twice; the parse keeps one of them: n may exceed wantN.
	if n < wantN || !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %q (%d masked)\nwant %v (%d masked)", doc, out, n, want, wantN)
	}
	if n == 0 && out != doc {
		t.Fatalf("%q: nothing masked, yet the text changed to %q", doc, out)
	}
}

func TestJSONMasksLikeTheParsedRecord(t *testing.T) {
	r, err := New(sidecarRules, sidecarKeys)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		`{"api_key": "sk-1", "message": "calling"}`,
		`{"apiKey": "sk-1", "X-API-Key": "sk-2", "headers": {"x-api-key": "sk-3", "content-type": "json"}}`,
		`{"sessions": [{"user": "a", "accessToken": "sk-1"}, [{"token": "sk-2"}]]}`,
		`{"db": {"password": 12345678}, "auth": {"token": {"kind": "jwt", "value": "sk-1"}}, "pin_token": true}`,
		`{"credentials": ["a", "b"], "cookie": {}, "secret": [], "empty_token": "", "null_token": null, "masked_token": "****"}`,
		`{"input_tokens": 512, "token_count": 7, "tokenizer": "bpe", "api_key_id": "k-1"}`,
		`{"api\u005fkey": "sk-escaped-name", "\u0074oken": "sk-escaped-t"}`,
		`{"detail": "retrying with tok\u0065n=sk-live-1234567890 after a 401"}`,
		`{"detail": "he said \"Authorization: Bearer abc.def\" twice\n", "x": "\\"}`,
		`{"url": "https://h/v1?access_token=sk-live-1234567890&model=bert", "é": "naïve \u00e9"}`,
		`{"token": "a", "token": "b"}`,
		`  {"token" :  "sk-1"  ,  "n" : -1.5e3 , "ok": false }  `,
		`{"message": "to\u212Aen=sk-live-1234567890"}`,
		`{"message": "SECRET: 'abcdefghij'", "escaped_quote_token": "\"q\""}`,
		`{}`,
		// Not one JSON object: refused, treated as text by the caller.
		`{"api_key": "sk-1", "message": "model "fail-me" raised"}`,
		`{'api_key': 'sk-1'}`,
		`{"api_key": "sk-1"} trailing`,
		`{"api_key": "sk-1"`,
		`["api_key", "sk-1"]`,
		`plain text token=sk-live-1234567890`,
		`{"a": "ctl` + "\x01" + `"}`,
		``,
	} {
		checkAgainstReference(t, r, doc)
	}
}

// Secrets under a name are found at any depth: the walk has no recursion limit to slip under.
func TestJSONDeepNesting(t *testing.T) {
	r, _ := New(sidecarRules, sidecarKeys)
	for _, depth := range []int{1, 63, 64, 65, 1000, 100000} {
		doc := strings.Repeat(`{"a": [`, depth) + `{"api_key": "sk-deep"}` + strings.Repeat(`]}`, depth)
		out, n, ok := r.JSON(doc)
		if !ok || n != 1 || strings.Contains(out, "sk-deep") {
			t.Fatalf("depth %d: ok=%v n=%d", depth, ok, n)
		}
		if len(out) != len(doc)-len(`"sk-deep"`)+len(maskedJSON) {
			t.Fatalf("depth %d: more than the secret changed", depth)
		}
	}
}

func TestJSONWithoutSecretsDoesNotAllocate(t *testing.T) {
	r, _ := New(sidecarRules, sidecarKeys)
	doc := inferenceLine
	allocs := testing.AllocsPerRun(100, func() {
		if out, n, ok := r.JSON(doc); !ok || n != 0 || out != doc {
			t.Fatal("changed")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations for a line without secrets", allocs)
	}
}

// inferenceLine is a worker's inference record, as it logs it: no secrets.
const inferenceLine = `{"timestamp": "2024-05-14T10:03:22.501Z", "request_id": "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "service": "ml-worker", "event_type": "inference_complete", "log_level": "INFO", "model_metadata": {"model_name": "resnet50", "model_version": "2.3.1", "framework": "pytorch"}, "inference_metrics": {"latency_ms": 41.7, "input_tokens": 512, "batch_size": 8}, "output": {"confidence_scores": [0.91, 0.87, 0.12], "predicted_class": "cat"}, "message": "Starting processing for model: resnet50"}`

func FuzzJSONMasksLikeTheParsedRecord(f *testing.F) {
	for _, s := range []string{
		`{"api_key": "sk-1", "message": "calling"}`,
		`{"a": [{"token": {"x": 1}}, "Bearer abc.def"], "b": "password=hunter2"}`,
		`{"api\u005fkey": "x", "m": "tok\u0065n: abcdefgh1"}`,
		inferenceLine,
	} {
		f.Add(s)
	}
	r, _ := New(sidecarRules, sidecarKeys)
	f.Fuzz(func(t *testing.T, doc string) {
		// encoding/json replaces invalid UTF-8 while decoding, the lexer keeps it: compare
		// where both read the same text.
		if !utf8.ValidString(doc) || bytes.Contains([]byte(doc), []byte(`\ud`)) || bytes.Contains([]byte(doc), []byte(`\uD`)) {
			return
		}
		checkAgainstReference(t, r, doc)
	})
}

func BenchmarkJSON(b *testing.B) {
	r, _ := New(sidecarRules, sidecarKeys)
	withSecret := strings.Replace(inferenceLine, `"log_level"`, `"api_key": "sk-live-1234567890", "log_level"`, 1)
	for name, doc := range map[string]string{"clean": inferenceLine, "secret": withSecret} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				_, _, _ = r.JSON(doc)
			}
		})
	}
}
