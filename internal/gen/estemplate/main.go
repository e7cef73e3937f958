// Command estemplate writes configs/elasticsearch/ml-logs-index-template.json from the schema
// package, so the index template and the contract cannot drift apart (a test checks it).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Template returns the index template for the gateway's ML and application data streams.
func Template() map[string]any {
	return map[string]any{
		"index_patterns": []string{"logs-ml.inference-*", "logs-ml.training-*", "logs-app-*"},
		"data_stream":    map[string]any{},
		"priority":       500,
		"_meta":          map[string]any{"description": "otelcol-mlops ML logs; generated from pkg/schema by `make es-template`", "schema_version": schema.DefaultVersion},
		"template": map[string]any{
			"settings": map[string]any{
				"index.lifecycle.name": "ml-logs-policy",
				"number_of_shards":     1,
				"refresh_interval":     "30s",
			},
			"mappings": schema.ElasticsearchMappings(schema.Default()),
		},
	}
}

func main() {
	out, err := json.MarshalIndent(Template(), "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], append(out, '\n'), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
