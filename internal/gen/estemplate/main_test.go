package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
