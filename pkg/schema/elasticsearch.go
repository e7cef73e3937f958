package schema

import (
	"sort"
	"strings"
)

// esType is the Elasticsearch field type a contract type is indexed as: identifiers and
// categories as keyword (exact filters and terms aggregations), numbers as numbers.
func esType(t Type) string {
	switch t {
	case TypeString:
		return "keyword"
	case TypeInt:
		return "long"
	case TypeFloat, TypeFloatArray:
		return "double"
	case TypeBool:
		return "boolean"
	case TypeTimestamp:
		return "date"
	}
	return ""
}

// ecsFields are the fields the gateway's ECS mapping and the processors add, outside the
// contract: where Kibana looks for correlation, and what ml_schema derives.
var ecsFields = map[string]string{
	"@timestamp":                     "date",
	"message":                        "match_only_text",
	"trace.id":                       "keyword",
	"span.id":                        "keyword",
	"service.name":                   "keyword",
	"log.level":                      "keyword",
	"event.severity":                 "long",
	"legacy.trace_id":                "keyword",
	"legacy.trace_id.format":         "keyword",
	FieldTags:                        "keyword",
	FieldSchemaErrors:                "keyword",
	FieldSamplingWeight:              "double",
	FieldTimestampZone:               "keyword",
	FieldDeployEnv:                   "keyword",
	FieldDeployCluster:               "keyword",
	FieldMeanConfidence:              "double",
	FieldMinConfidence:               "double",
	FieldMaxConfidence:               "double",
	FieldLatencyZScore:               "double",
	FieldConfidenceZScore:            "double",
	FieldLowConfidenceWarning:        "boolean",
	"worker_id":                      "keyword",
	"trace_id":                       "keyword",
	FieldSchemaVersion:               "keyword",
	"request_context.user_id_cohort": "long",
}

// ElasticsearchMappings returns the index template mappings for the records s describes: one
// property per contract field (nested objects as objects), plus the ECS and derived fields.
// configs/elasticsearch/ml-logs-index-template.json is generated from it.
func ElasticsearchMappings(s Schema) map[string]any {
	root := map[string]any{}
	add := func(path, typ string) {
		if typ == "" {
			return
		}
		props := root
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			obj, ok := props[p].(map[string]any)
			if ok && obj["type"] != nil {
				return // a value field cannot also hold sub-fields; the first definition stands
			}
			if !ok {
				obj = map[string]any{"properties": map[string]any{}}
				props[p] = obj
			}
			if _, ok := obj["properties"]; !ok {
				obj["properties"] = map[string]any{}
			}
			props = obj["properties"].(map[string]any)
		}
		leaf := parts[len(parts)-1]
		if existing, ok := props[leaf].(map[string]any); ok && existing["properties"] != nil {
			return // an object already holds sub-fields here
		}
		props[leaf] = map[string]any{"type": typ}
	}
	for _, f := range s.Common {
		add(f.Path, esType(f.Type))
	}
	for _, et := range s.EventTypes {
		for _, f := range et.Fields {
			add(f.Path, esType(f.Type))
		}
	}
	extra := make([]string, 0, len(ecsFields))
	for path := range ecsFields {
		extra = append(extra, path)
	}
	sort.Strings(extra)
	for _, path := range extra {
		add(path, ecsFields[path])
	}
	return map[string]any{
		// Unknown fields are kept in _source but not indexed: a new field must not explode
		// the mapping (seed pitfall 2).
		"dynamic":    "false",
		"properties": root,
	}
}
