// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyid

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

type vector struct {
	Input         string   `json:"input"`
	Namespace     string   `json:"namespace"`
	NoIDValues    []string `json:"no_id_values"`
	Rule          string   `json:"rule"`
	TraceID       string   `json:"trace_id"`
	SpanID        string   `json:"span_id"`
	ServiceName   string   `json:"service_name"`
	DerivedSpanID string   `json:"derived_span_id"`
	Note          string   `json:"note"`
}

func loadVectors(t testing.TB) []vector {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "trace-id-mapping-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		SpecVersion int      `json:"spec_version"`
		Vectors     []vector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if file.SpecVersion != SpecVersion {
		t.Fatalf("vectors are for spec %d, package implements %d", file.SpecVersion, SpecVersion)
	}
	return file.Vectors
}

func TestSpecVectors(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range loadVectors(t) {
		t.Run(v.Rule+"/"+v.Input, func(t *testing.T) {
			m := New(Options{Namespace: v.Namespace, NoIDValues: v.NoIDValues})
			res, ok := m.Map(v.Input)
			if v.Rule == "none" {
				if ok {
					t.Fatalf("expected no ID, got %s by %s", FormatHex(res.TraceID), res.Rule)
				}
				return
			}
			if !ok {
				t.Fatalf("expected an ID by rule %s, got none", v.Rule)
			}
			if res.Rule.String() != v.Rule {
				t.Errorf("rule: got %s, want %s (%s)", res.Rule, v.Rule, v.Note)
			}
			if got := hex.EncodeToString(res.TraceID[:]); got != v.TraceID {
				t.Errorf("trace ID: got %s, want %s", got, v.TraceID)
			}
			gotSpan := ""
			if res.HasSpanID() {
				gotSpan = hex.EncodeToString(res.SpanID[:])
			}
			if gotSpan != v.SpanID {
				t.Errorf("span ID: got %q, want %q", gotSpan, v.SpanID)
			}
			derived := DeriveSpanID(res.TraceID, v.ServiceName)
			if got := hex.EncodeToString(derived[:]); got != v.DerivedSpanID {
				t.Errorf("derived span ID: got %s, want %s", got, v.DerivedSpanID)
			}
		})
		seen[v.Rule] = true
	}
	for _, r := range append(Rules(), RuleNone) {
		if !seen[r.String()] {
			t.Errorf("the vectors have no case for rule %s", r)
		}
	}
}

func TestFormatUUIDRoundTrips(t *testing.T) {
	id := [16]byte{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	s := FormatUUID(id)
	if s != "4bf92f35-77b3-4da6-a3ce-929d0e0e4736" {
		t.Fatalf("FormatUUID = %s", s)
	}
	res, ok := Default.Map(s)
	if !ok || res.TraceID != id || res.Rule != RuleUUID {
		t.Fatalf("UUID form does not map back: %+v %v", res, ok)
	}
	if got := FormatHex(id); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("FormatHex = %s", got)
	}
}

func TestDerivedSpanIDDependsOnService(t *testing.T) {
	res, _ := Default.Map("xyz-123")
	a, b := DeriveSpanID(res.TraceID, "api"), DeriveSpanID(res.TraceID, "worker")
	if a == b {
		t.Fatal("two services of one trace got the same derived span ID")
	}
	if a != DeriveSpanID(res.TraceID, "api") {
		t.Fatal("derived span ID is not stable")
	}
}

func FuzzMap(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Input)
	}
	f.Fuzz(func(t *testing.T, in string) {
		res, ok := Default.Map(in)
		if !ok {
			return
		}
		if res.TraceID == [16]byte{} {
			t.Fatalf("all-zero trace ID for %q", in)
		}
		if res.Rule == RuleNone || res.Rule >= ruleCount {
			t.Fatalf("bad rule %d for %q", res.Rule, in)
		}
		again, ok := Default.Map(FormatHex(res.TraceID))
		if !ok || again.TraceID != res.TraceID || again.Rule != RuleHex128 {
			t.Fatalf("not idempotent on its own output: %q -> %s -> %+v", in, FormatHex(res.TraceID), again)
		}
		if d := DeriveSpanID(res.TraceID, in); d == [8]byte{} {
			t.Fatalf("all-zero derived span ID for %q", in)
		}
	})
}
