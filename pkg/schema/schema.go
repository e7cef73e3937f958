// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package schema is the one home of otelcol-mlops's knowledge of ML log records: the field
// paths of the inference and training contract (schema_version 2.1), field types,
// ranges and enums, per-version differences, and validation. The ml_schema processor
// validates and enriches with it; the ml_metrics connector and the Elasticsearch index
// templates read the same field paths and types from it.
package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Type is a field's type in the contract.
type Type string

// The field types.
const (
	TypeString     Type = "string"
	TypeInt        Type = "int"
	TypeFloat      Type = "float"
	TypeBool       Type = "bool"
	TypeTimestamp  Type = "timestamp"
	TypeFloatArray Type = "float_array"
	TypeObject     Type = "object"
	TypeArray      Type = "array"
	TypeAny        Type = "any"
)

// Kind groups event types for routing and metrics.
type Kind string

// The kinds of event types.
const (
	KindInference Kind = "inference"
	KindTraining  Kind = "training"
	KindOther     Kind = "other"
)

// Field is one field of the contract.
type Field struct {
	// Path is the dotted path of the field (nested maps or flattened keys).
	Path string `mapstructure:"path"`
	Type Type   `mapstructure:"type"`
	// Required fields must be present.
	Required bool `mapstructure:"required"`
	// Min and Max bound numbers (each element for float_array), inclusive.
	Min *float64 `mapstructure:"min"`
	Max *float64 `mapstructure:"max"`
	// Enum lists the allowed values of a string field.
	Enum []string `mapstructure:"enum"`
	// Since is the first schema_version that has the field; Until the last one. Records of
	// other versions are not checked for it.
	Since string `mapstructure:"since"`
	Until string `mapstructure:"until"`
}

// EventType is the contract of the records whose event_type is one of Values.
type EventType struct {
	Name   string   `mapstructure:"name"`
	Kind   Kind     `mapstructure:"kind"`
	Values []string `mapstructure:"event_types"`
	// SkipCommon exempts the type from the schema's common fields.
	SkipCommon bool    `mapstructure:"skip_common"`
	Fields     []Field `mapstructure:"fields"`
}

// Schema is a full contract.
type Schema struct {
	// Version is assumed for records without a schema_version field.
	Version    string      `mapstructure:"version"`
	Common     []Field     `mapstructure:"common"`
	EventTypes []EventType `mapstructure:"event_types"`
}

// version is a parsed major.minor[.patch] schema version.
type version [3]int

func parseVersion(s string) (version, error) {
	var v version
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".")
	if len(parts) == 0 || len(parts) > 3 || parts[0] == "" {
		return v, fmt.Errorf("%q is not a version like 2.1", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("%q is not a version like 2.1", s)
		}
		v[i] = n
	}
	return v, nil
}

func (v version) less(o version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

// Validate checks a schema definition (what a user writes in configuration).
func (s *Schema) Validate() error {
	var errs []error
	if _, err := parseVersion(s.Version); err != nil {
		errs = append(errs, fmt.Errorf("version: %w", err))
	}
	errs = append(errs, validateFields("common", s.Common)...)
	seen := map[string]string{}
	for i, et := range s.EventTypes {
		where := fmt.Sprintf("event_types[%d]", i)
		if et.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name: must not be empty", where))
		}
		switch et.Kind {
		case KindInference, KindTraining, KindOther:
		default:
			errs = append(errs, fmt.Errorf("%s.kind: %q is not one of inference, training, other", where, et.Kind))
		}
		if len(et.Values) == 0 {
			errs = append(errs, fmt.Errorf("%s.event_types: at least one event_type value is required", where))
		}
		for _, v := range et.Values {
			if other, dup := seen[v]; dup {
				errs = append(errs, fmt.Errorf("%s.event_types: %q is also claimed by %s", where, v, other))
			}
			seen[v] = et.Name
		}
		errs = append(errs, validateFields(where+".fields", et.Fields)...)
	}
	return errors.Join(errs...)
}

func validateFields(where string, fields []Field) []error {
	var errs []error
	for i, f := range fields {
		at := fmt.Sprintf("%s[%d]", where, i)
		if f.Path == "" {
			errs = append(errs, fmt.Errorf("%s.path: must not be empty", at))
		}
		switch f.Type {
		case TypeString, TypeInt, TypeFloat, TypeBool, TypeTimestamp, TypeFloatArray, TypeObject, TypeArray, TypeAny:
		default:
			errs = append(errs, fmt.Errorf("%s.type: %q is not one of string, int, float, bool, timestamp, float_array, object, array, any", at, f.Type))
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			errs = append(errs, fmt.Errorf("%s: min %v is above max %v", at, *f.Min, *f.Max))
		}
		if (f.Min != nil || f.Max != nil) && f.Type != TypeInt && f.Type != TypeFloat && f.Type != TypeFloatArray {
			errs = append(errs, fmt.Errorf("%s: min/max apply to int, float and float_array fields, not %s", at, f.Type))
		}
		if len(f.Enum) > 0 && f.Type != TypeString {
			errs = append(errs, fmt.Errorf("%s.enum: applies to string fields, not %s", at, f.Type))
		}
		for name, v := range map[string]string{"since": f.Since, "until": f.Until} {
			if v != "" {
				if _, err := parseVersion(v); err != nil {
					errs = append(errs, fmt.Errorf("%s.%s: %w", at, name, err))
				}
			}
		}
	}
	return errs
}

// Merge returns base with the event types of extra added; an extra type with the name of a
// base type replaces it. Common fields of extra are appended.
func Merge(base, extra Schema) Schema {
	out := Schema{Version: base.Version, Common: append(append([]Field(nil), base.Common...), extra.Common...)}
	if extra.Version != "" {
		out.Version = extra.Version
	}
	replaced := map[string]bool{}
	for _, et := range extra.EventTypes {
		replaced[et.Name] = true
	}
	for _, et := range base.EventTypes {
		if !replaced[et.Name] {
			out.EventTypes = append(out.EventTypes, et)
		}
	}
	out.EventTypes = append(out.EventTypes, extra.EventTypes...)
	return out
}
