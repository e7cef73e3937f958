// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommittedTemplateMatchesTheSchema(t *testing.T) {
	path := filepath.Join("..", "..", "..", "configs", "elasticsearch", "ml-logs-index-template.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(Template(), "", "  ")
	if string(raw) != string(want)+"\n" {
		t.Fatalf("%s is stale: run make es-template", path)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatal(err)
	}
	props := tmpl["template"].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	// The seed's own names moved to their ECS homes are not mapped twice.
	for _, moved := range []string{"timestamp", "log_level", "trace_id"} {
		if got := lookup(props, moved); got != "" {
			t.Errorf("%s is mapped (%s): the gateway moves it to its ECS field", moved, got)
		}
	}
	for path, typ := range map[string]string{"trace.id": "keyword", "model_metadata.model_version": "keyword", "inference_metrics.latency_ms": "double", "output.confidence_scores": "double", "input_features.cache_hit": "boolean", "@timestamp": "date", "service.name": "keyword", "log.level": "keyword", "message": "match_only_text", "request_context.timestamp_ms": "date"} {
		if got := lookup(props, path); got != typ {
			t.Errorf("%s is mapped as %q, want %q", path, got, typ)
		}
	}
}

func lookup(props map[string]any, path string) string {
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			if obj, ok := props[path[:i]].(map[string]any); ok {
				if sub, ok := obj["properties"].(map[string]any); ok {
					if got := lookup(sub, path[i+1:]); got != "" {
						return got
					}
				}
			}
		}
	}
	if f, ok := props[path].(map[string]any); ok {
		if s, ok := f["type"].(string); ok {
			return s
		}
	}
	return ""
}

// Every field docs/kibana.md queries or aggregates on is mapped by the template, as a type
// that can be searched and aggregated (not an unparsed object, not text).
func TestKibanaQueriesUseMappedFields(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "kibana.md"))
	if err != nil {
		t.Fatal(err)
	}
	props := Template()["template"].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	raw, _ := json.Marshal(props)
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	fields := map[string]bool{}
	blocks := strings.Split(string(doc), "```")
	for i := 1; i < len(blocks); i += 2 {
		lang, body, _ := strings.Cut(blocks[i], "\n")
		switch lang {
		case "json":
			var q any
			if err := json.Unmarshal([]byte(body), &q); err != nil {
				t.Fatalf("docs/kibana.md: a json block does not parse: %v\n%s", err, body)
			}
			queryFields(q, "", fields)
		case "kql":
			for _, line := range strings.Split(body, "\n") {
				for _, clause := range strings.FieldsFunc(line, func(r rune) bool { return r == '(' || r == ')' }) {
					for _, part := range strings.Split(clause, " and ") {
						for _, cond := range strings.Split(part, " or ") {
							if name, _, ok := strings.Cut(strings.TrimSpace(cond), " "); ok {
								fields[name] = true
							}
						}
					}
				}
			}
		}
	}
	if len(fields) < 15 {
		t.Fatalf("only %d fields found in docs/kibana.md: %v", len(fields), fields)
	}
	for f := range fields {
		switch typ := lookup(generic, f); typ {
		case "keyword", "long", "double", "boolean", "date":
		default:
			t.Errorf("docs/kibana.md queries %s, mapped as %q", f, typ)
		}
	}
}

// queryFields collects the fields a query DSL value names: every "field", and the keys of
// term, terms (the query), range and match clauses.
func queryFields(v any, parent string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		_, isAgg := x["field"]
		for k, sub := range x {
			switch {
			case k == "field":
				if s, ok := sub.(string); ok {
					out[s] = true
				}
			case (parent == "term" || parent == "range" || parent == "match" || (parent == "terms" && !isAgg)) && k != "size" && k != "order":
				out[k] = true
			}
			queryFields(sub, k, out)
		}
	case []any:
		for _, sub := range x {
			queryFields(sub, parent, out)
		}
	}
}
