// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package schema

import (
	"sort"
	"strings"
)

// Elasticsearch: the index template's mappings and the gateway's shaping (processor/ecsshape)
// both come from here, so what the shaping lets through is what the template accepts.

// KeywordIgnoreAbove is the ignore_above of every keyword field, in characters (UTF-16 code
// units, as Java counts). Elasticsearch keeps a longer value whole in _source and leaves it
// out of the index (listing the field in _ignored), so the shaping keeps it as it is. It also
// keeps every indexed keyword term under Lucene's 32 766-byte limit: 1024 UTF-16 units are at
// most 3072 UTF-8 bytes.
const KeywordIgnoreAbove = 1024

// FieldInvalid holds what the processors moved out of Elasticsearch's way or cut: each entry
// the path, why (a Reason), and the original value as JSON text — or, for ReasonTooLong, the
// original_length. It is mapped as an object with "enabled": false — kept in _source, never
// parsed — so no value can make the document fail.
const FieldInvalid = "ml.schema.invalid"

// Reasons an entry of FieldInvalid gives.
const (
	ReasonType      = "type"      // the value contradicts the field's mapping
	ReasonReserved  = "reserved"  // the exporter writes this ECS field itself
	ReasonDuplicate = "duplicate" // the body and the attributes both have it, differently
	ReasonUnparsed  = "unparsed_timestamp"
	ReasonFieldName = "field_name" // a name Elasticsearch refuses (empty, a blank part)
	// ReasonTooLong: a string over ml_schema's guard.max_string_length, cut there; the entry's
	// original_length is the string's length in bytes before the cut.
	ReasonTooLong = "too_long"
)

// TagMappingConflict marks a record whose field contradicted the index mappings (moved to
// FieldInvalid).
const TagMappingConflict = "mapping_conflict"

// ECSHomes are the ML log schema's own names for fields ECS already has; the shaping moves them there
// (into the record's timestamp, severity, body or resource-level name) instead of indexing them
// twice, and the template does not map the schema's names.
var ECSHomes = map[string]string{
	FieldTimestamp: "@timestamp",
	FieldService:   "service.name",
	FieldLogLevel:  "log.level",
	"message":      "message",
}

// Data stream datasets by kind of event type; records of no known event type go to DatasetApp.
const (
	DatasetInference = "ml.inference"
	DatasetTraining  = "ml.training"
	DatasetApp       = "app"
)

// DatasetOf is the data stream dataset of a kind of event type.
func DatasetOf(k Kind) string {
	switch k {
	case KindInference:
		return DatasetInference
	case KindTraining:
		return DatasetTraining
	}
	return DatasetApp
}

// DataStreamPatterns are the index patterns the template covers: one per dataset.
func DataStreamPatterns() []string {
	return []string{"logs-" + DatasetInference + "-*", "logs-" + DatasetTraining + "-*", "logs-" + DatasetApp + "-*"}
}

// ESNode is one node of the index mappings: an object (Children) or a field of Type.
type ESNode struct {
	Type     string // "object" for objects
	Children map[string]*ESNode
	// Enabled false: an object Elasticsearch does not parse (FieldInvalid).
	Disabled bool
}

// child returns the node at a dotted path below n, or nil.
func (n *ESNode) child(path string) *ESNode {
	for n != nil {
		head, rest, more := strings.Cut(path, ".")
		n = n.Children[head]
		if !more {
			return n
		}
		path = rest
	}
	return nil
}

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
	case TypeObject:
		return "object"
	}
	return ""
}

// ecsFields are the fields the elasticsearch exporter's ECS mode writes and the fields the
// processors add, outside the contract, mapped as ECS maps them.
var ecsFields = map[string]string{
	"@timestamp":            "date",
	"message":               "match_only_text",
	"trace.id":              "keyword",
	"span.id":               "keyword",
	"service.name":          "keyword",
	"service.version":       "keyword",
	"service.environment":   "keyword",
	"service.node.name":     "keyword",
	"host.name":             "keyword",
	"host.hostname":         "keyword",
	"log.level":             "keyword",
	"log.file.path":         "keyword",
	"log.offset":            "long",
	"log.file.name":         "keyword",
	"log.iostream":          "keyword",
	"event.severity":        "long",
	"event.dataset":         "keyword",
	"event.action":          "keyword",
	"event.original":        "keyword",
	"error.message":         "match_only_text",
	"error.type":            "keyword",
	"error.stacktrace":      "match_only_text",
	"data_stream.type":      "keyword",
	"data_stream.dataset":   "keyword",
	"data_stream.namespace": "keyword",
	"labels.service":        "keyword",
	// Where a line came from: the node agent (log path, k8s_attributes), a Cloud Logging
	// entry's resource, an Azure record (semantic-convention names, as the collector sets them).
	"k8s.cluster.name":               "keyword",
	"k8s.namespace.name":             "keyword",
	"k8s.node.name":                  "keyword",
	"k8s.pod.name":                   "keyword",
	"k8s.pod.uid":                    "keyword",
	"k8s.container.name":             "keyword",
	"k8s.deployment.name":            "keyword",
	"k8s.statefulset.name":           "keyword",
	"k8s.daemonset.name":             "keyword",
	"k8s.job.name":                   "keyword",
	"cloud.provider":                 "keyword",
	"cloud.platform":                 "keyword",
	"cloud.region":                   "keyword",
	"cloud.availability_zone":        "keyword",
	"cloud.account.id":               "keyword",
	"ml.model.name":                  "keyword",
	"ml.model.version":               "keyword",
	"legacy.trace_id":                "keyword",
	"legacy.trace_id_format":         "keyword",
	"legacy.trace_id_mapped":         "keyword",
	"trace.missing":                  "boolean",
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
	FieldSchemaVersion:               "keyword",
	"request_context.user_id_cohort": "long",
}

// ElasticsearchTree returns the mappings of the documents the gateway writes for records s
// describes: the contract's fields (less those moved to their ECS homes), the ECS fields and
// what the processors derive, and FieldInvalid.
func ElasticsearchTree(s Schema) *ESNode {
	root := &ESNode{Type: "object", Children: map[string]*ESNode{}}
	add := func(path, typ string) {
		if typ == "" {
			return
		}
		node := root
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			child := node.Children[p]
			if child == nil {
				child = &ESNode{Type: "object", Children: map[string]*ESNode{}}
				node.Children[p] = child
			}
			if child.Type != "object" {
				return // a value field cannot also hold sub-fields; the first definition stands
			}
			node = child
		}
		leaf := parts[len(parts)-1]
		if existing := node.Children[leaf]; existing != nil {
			return // the first definition stands
		}
		n := &ESNode{Type: typ}
		if typ == "object" {
			n.Children = map[string]*ESNode{}
		}
		node.Children[leaf] = n
	}
	extra := make([]string, 0, len(ecsFields))
	for path := range ecsFields {
		extra = append(extra, path)
	}
	sort.Strings(extra)
	for _, path := range extra {
		add(path, ecsFields[path])
	}
	addFields := func(fields []Field) {
		for _, f := range fields {
			if _, moved := ECSHomes[f.Path]; !moved {
				add(f.Path, esType(f.Type))
			}
		}
	}
	addFields(s.Common)
	for _, et := range s.EventTypes {
		addFields(et.Fields)
	}
	add(FieldInvalid, "object")
	root.child(FieldInvalid).Disabled = true
	return root
}

// ElasticsearchMappings renders ElasticsearchTree as an index template's "mappings".
// configs/elasticsearch/ml-logs-index-template.json is generated from it.
func ElasticsearchMappings(s Schema) map[string]any {
	return map[string]any{
		// Unknown fields are kept in _source but not indexed: a new field must not explode
		// the mapping (a mapping explosion).
		"dynamic":    "false",
		"properties": renderProperties(ElasticsearchTree(s)),
	}
}

func renderProperties(n *ESNode) map[string]any {
	props := make(map[string]any, len(n.Children))
	for name, child := range n.Children {
		switch {
		case child.Disabled:
			props[name] = map[string]any{"type": "object", "enabled": false}
		case child.Type == "object":
			props[name] = map[string]any{"properties": renderProperties(child)}
		case child.Type == "keyword":
			props[name] = map[string]any{"type": "keyword", "ignore_above": KeywordIgnoreAbove}
		default:
			props[name] = map[string]any{"type": child.Type}
		}
	}
	return props
}
