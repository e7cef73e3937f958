// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"time"
)

// Jaeger is a running Jaeger v2 with memory storage.
type Jaeger struct {
	*Process
	OTLPGRPC string // host:port of its OTLP/gRPC receiver
	QueryURL string // base URL of its query API
}

// JaegerBinary returns bin/jaeger, building it from tools/jaeger when it is missing.
func JaegerBinary(root string) (string, error) {
	return toolBinary(root, "jaeger", "github.com/jaegertracing/jaeger/cmd/jaeger", "github.com/jaegertracing")
}

// StartJaeger starts Jaeger on free loopback ports with tests/testdata/jaeger.yaml.
func StartJaeger(root string) (*Jaeger, error) {
	return StartJaegerAt(root, "")
}

// StartJaegerAt is StartJaeger with the OTLP/gRPC receiver on otlpAddr (free port if empty),
// for tests that start Jaeger after the collector that sends to it.
func StartJaegerAt(root, otlpAddr string) (*Jaeger, error) {
	bin, err := JaegerBinary(root)
	if err != nil {
		return nil, err
	}
	addrs := make([]string, 3)
	for i := range addrs {
		if addrs[i], err = FreeAddr(); err != nil {
			return nil, err
		}
	}
	if otlpAddr != "" {
		addrs[0] = otlpAddr
	}
	p, err := StartProcess(root, []string{
		"JAEGER_OTLP_GRPC_ENDPOINT=" + addrs[0], "JAEGER_QUERY_ENDPOINT=" + addrs[1], "JAEGER_QUERY_GRPC_ENDPOINT=" + addrs[2],
	}, bin, "--config", filepath.Join(root, "tests", "testdata", "jaeger.yaml"))
	if err != nil {
		return nil, err
	}
	j := &Jaeger{Process: p, OTLPGRPC: addrs[0], QueryURL: "http://" + addrs[1]}
	if err := p.WaitHTTP(j.QueryURL+"/api/services", 60*time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("jaeger: %w\n%s", err, p.Output())
	}
	if err := p.WaitTCP(j.OTLPGRPC, 10*time.Second); err != nil {
		p.Kill()
		return nil, err
	}
	return j, nil
}

// JaegerSpan is the part of Jaeger's API span the tests and the demo read.
type JaegerSpan struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	StartTime int64  `json:"startTime"` // µs
	Duration  int64  `json:"duration"`  // µs
	ProcessID string `json:"processID"`
	Tags      []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"tags"`
	Service string `json:"-"`
}

// Tag returns a span tag's value as text.
func (s JaegerSpan) Tag(key string) (string, bool) {
	for _, t := range s.Tags {
		if t.Key == key {
			return fmt.Sprint(t.Value), true
		}
	}
	return "", false
}

// Trace fetches a trace by its hex ID; the spans carry their service names.
func (j *Jaeger) Trace(traceID string) ([]JaegerSpan, error) {
	resp, err := http.Get(j.QueryURL + "/api/traces/" + traceID) //nolint:gosec // loopback
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jaeger: trace %s: %s", traceID, resp.Status)
	}
	var body struct {
		Data []struct {
			Spans     []JaegerSpan `json:"spans"`
			Processes map[string]struct {
				ServiceName string `json:"serviceName"`
			} `json:"processes"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	var out []JaegerSpan
	for _, d := range body.Data {
		for _, s := range d.Spans {
			s.Service = d.Processes[s.ProcessID].ServiceName
			out = append(out, s)
		}
	}
	return out, nil
}

// LinkedTraces are the other traces the span links to (OTLP span links; FOLLOWS_FROM in Jaeger).
func (s JaegerSpan) LinkedTraces() []string {
	var out []string
	for _, r := range s.References {
		if r.RefType != "CHILD_OF" && r.TraceID != s.TraceID {
			out = append(out, r.TraceID)
		}
	}
	return out
}

// ParentID is the span's CHILD_OF reference, or "" for a root.
func (s JaegerSpan) ParentID() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}
