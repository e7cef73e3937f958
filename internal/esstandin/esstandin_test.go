// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package esstandin

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string, gz bool) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if gz {
		w := gzip.NewWriter(&buf)
		_, _ = w.Write([]byte(body))
		_ = w.Close()
	} else {
		buf.WriteString(body)
	}
	req, _ := http.NewRequest(http.MethodPost, url, &buf)
	req.Header.Set("Content-Type", "application/x-ndjson")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.Header.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Error("missing product header")
	}
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func TestBulk(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	body := `{"create":{"_index":"logs-ml.inference-default"}}` + "\n" + `{"@timestamp":"2026-11-23T10:00:00Z","trace":{"id":"abc"},"message":"hi"}` + "\n" +
		`{"create":{"_index":"not-a-stream"}}` + "\n" + `{"x":1}` + "\n" +
		`{"create":{"_index":"logs-app-default"}}` + "\n" + `{broken` + "\n"
	code, out := post(t, s.URL()+"/_bulk?require_data_stream=true", body, true)
	if code != 200 || out["errors"] != true {
		t.Fatalf("code %d, %v", code, out)
	}
	items := out["items"].([]any)
	statuses := []float64{}
	for _, it := range items {
		statuses = append(statuses, it.(map[string]any)["create"].(map[string]any)["status"].(float64))
	}
	if len(statuses) != 3 || statuses[0] != 201 || statuses[1] != 404 || statuses[2] != 400 {
		t.Fatalf("item statuses %v", statuses)
	}
	docs := s.Docs()
	if len(docs) != 1 || docs[0].Index != "logs-ml.inference-default" {
		t.Fatalf("docs %v", docs)
	}
	if v, ok := Field(docs[0].Source, "trace.id"); !ok || v != "abc" {
		t.Fatalf("Field = %v %v", v, ok)
	}
	if code, _ := post(t, s.URL()+"/_bulk", `{"create":{"_index":"logs-a-b"}}`+"\n"+`{}`, false); code != 400 {
		t.Fatalf("a body without the final newline is refused, got %d", code)
	}
	if code, _ := post(t, s.URL()+"/_bulk", "[1]\n{}\n", false); code != 400 {
		t.Fatalf("a malformed action line is refused, got %d", code)
	}
}

func TestFaults(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	line := `{"create":{"_index":"logs-a-default"}}` + "\n" + `{"@timestamp":1,"n":1}` + "\n"
	s.Inject(Fault{Count: 1, Status: 429})
	s.Inject(Fault{Count: 1, ItemStatus: 429})
	s.Inject(Fault{Count: 1, Drop: true})
	if code, _ := post(t, s.URL()+"/_bulk", line, false); code != 429 {
		t.Fatalf("got %d, want 429", code)
	}
	if code, out := post(t, s.URL()+"/_bulk", line, false); code != 200 || out["errors"] != true {
		t.Fatalf("item fault: %d %v", code, out)
	}
	if code, _ := post(t, s.URL()+"/_bulk", line, false); code != 0 {
		t.Fatalf("dropped connection answered %d", code)
	}
	if code, out := post(t, s.URL()+"/_bulk", line, false); code != 200 || out["errors"] != false {
		t.Fatalf("recovered: %d %v", code, out)
	}
	if got := len(s.Docs()); got != 1 {
		t.Fatalf("%d docs stored, want 1", got)
	}
	if req, rej := s.Stats(); req != 4 || rej != 3 {
		t.Fatalf("stats %d %d", req, rej)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatal(s.URL())
	}
}

// Documents with a client-given _id: a second create of it is refused with 409 as
// Elasticsearch refuses it (this is how deterministic IDs turn resent logs into no-ops), an
// index action replaces it.
func TestDocumentIDs(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	create := `{"create":{"_index":"app-logs","_id":"a1"}}` + "\n" + `{"n":1}` + "\n"
	if code, out := post(t, s.URL()+"/_bulk", create, false); code != 200 || out["errors"] != false {
		t.Fatalf("first create: %d %v", code, out)
	}
	code, out := post(t, s.URL()+"/_bulk", create+`{"create":{"_index":"other-logs","_id":"a1"}}`+"\n"+`{"n":2}`+"\n", false)
	if code != 200 || out["errors"] != true {
		t.Fatalf("second create: %d %v", code, out)
	}
	items := out["items"].([]any)
	first := items[0].(map[string]any)["create"].(map[string]any)
	second := items[1].(map[string]any)["create"].(map[string]any)
	if first["status"].(float64) != 409 || first["error"].(map[string]any)["type"] != "version_conflict_engine_exception" {
		t.Fatalf("the same _id in the same index: %v", first)
	}
	if second["status"].(float64) != 201 {
		t.Fatalf("the same _id in another index is another document: %v", second)
	}
	if code, _ := post(t, s.URL()+"/_bulk", `{"index":{"_index":"app-logs","_id":"a1"}}`+"\n"+`{"n":3}`+"\n", false); code != 200 {
		t.Fatalf("index: %d", code)
	}
	docs := s.Docs()
	if len(docs) != 2 || s.Conflicts() != 1 || fmt.Sprint(docs[0].Source["n"]) != "3" {
		t.Fatalf("docs %v, conflicts %d", docs, s.Conflicts())
	}
}
