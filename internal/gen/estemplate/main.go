// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

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
		"index_patterns": schema.DataStreamPatterns(),
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
			// A document the mappings still refuse is kept, with its error, in the data
			// stream's failure store (Elasticsearch 8.19 / 9.1 and later) instead of being lost
			// with a 400; the exporter counts it (outcome failure_store). docs/reliability.md.
			"data_stream_options": map[string]any{"failure_store": map[string]any{"enabled": true}},
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
