// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// FindOriginal finds in an indexed document the value a record sent at path: in place (through
// nested objects or dotted keys; a numeric string may have become its number, as
// Elasticsearch's coercion and ml_schema's conversion allow), at its ECS home
// (schema.ECSHomes; service also as labels.service; a legacy ID field as legacy.trace_id), as
// path.value (the exporter's rename of a value that collides with sub-fields), or in
// ml.schema.invalid — its own entry or an ancestor's, with the original JSON. Only a string
// over ml_schema's max_string_length (CutLimit) may be cut: then the document holds its first
// CutLimit bytes, the record is tagged truncated, and its ml.schema.invalid entry has the
// original length. A timestamp may also be the document's @timestamp, compared as an instant
// by parsed.
func FindOriginal(doc map[string]any, path string, value any, legacyKeys []string, parsed func(any) (string, bool)) error {
	want, _ := json.Marshal(value)
	places := []string{path, path + ".value"}
	if home, ok := schema.ECSHomes[path]; ok {
		places = append(places, home)
	}
	if path == schema.FieldService {
		places = append(places, "labels.service")
	}
	if slices.Contains(legacyKeys, path) {
		places = append(places, "legacy.trace_id")
	}
	if path == "level" {
		places = append(places, "log.level")
	}
	if inInvalid(doc, places, path, value, string(want)) {
		return nil
	}
	for _, place := range places {
		for _, got := range AllValues(doc, place) {
			raw, _ := json.Marshal(got)
			if sameJSON(string(raw), string(want)) || containsAll(got, value) || cutAndTagged(doc, got, value) || holdsAll(got, value) {
				return nil
			}
		}
	}
	if inJSONText(doc, path, string(want)) {
		return nil
	}
	if parsed != nil && (path == schema.FieldTimestamp || path == "@timestamp") {
		if instant, ok := parsed(value); ok {
			for _, got := range AllValues(doc, "@timestamp") {
				if g, ok := parsed(got); ok && g == instant {
					return nil
				}
			}
		}
	}
	// An empty message is no message (a summary takes its place), and an empty tag is no tag.
	if v, ok := value.(string); ok && v == "" && (path == "message" || path == schema.FieldTags) {
		return nil
	}
	return fmt.Errorf("not in the document (at %s: %.80v; %s: %.300v)", path, AllValues(doc, path), schema.FieldInvalid, AllValues(doc, schema.FieldInvalid))
}

// inInvalid looks for the value in ml.schema.invalid: under one of places, or inside the JSON
// of an entry for an ancestor of path.
func inInvalid(doc map[string]any, places []string, path string, value any, want string) bool {
	for _, v := range AllValues(doc, schema.FieldInvalid) {
		list, _ := v.([]any)
		for _, e := range list {
			entry, _ := e.(map[string]any)
			at := fmt.Sprint(entry["path"])
			if slices.Contains(places, at) {
				if entry["reason"] == schema.ReasonTooLong {
					if s, ok := value.(string); ok && len(s) > CutLimit && fmt.Sprint(entry["original_length"]) == strconv.Itoa(len(s)) {
						return true
					}
					continue
				}
				if sameJSON(fmt.Sprint(entry["value"]), want) {
					return true
				}
				var kept any
				if json.Unmarshal([]byte(fmt.Sprint(entry["value"])), &kept) == nil && holdsAll(kept, value) {
					return true
				}
			}
			if rest, ok := strings.CutPrefix(path, at+"."); ok {
				var parent any
				if json.Unmarshal([]byte(fmt.Sprint(entry["value"])), &parent) == nil {
					if m, ok := parent.(map[string]any); ok {
						for _, got := range AllValues(m, rest) {
							raw, _ := json.Marshal(got)
							if sameJSON(string(raw), want) {
								return true
							}
						}
					}
				}
			}
		}
	}
	return false
}

// holdsAll: a list the pipeline added to (tags: a record's own tag and ml_schema's) holds the
// original value or every element of it.
func holdsAll(got, value any) bool {
	list, ok := got.([]any)
	if !ok {
		return false
	}
	wants, isList := value.([]any)
	if !isList {
		wants = []any{value}
	}
	for _, w := range wants {
		b, _ := json.Marshal(w)
		found := false
		for _, g := range list {
			a, _ := json.Marshal(g)
			// ml_schema keeps a scalar it must turn into a tag list as its text.
			if sameJSON(string(a), string(b)) || fmt.Sprint(g) == fmt.Sprint(w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// inJSONText finds the value inside an ancestor kept as JSON text (a string, or a string in a
// list: how ml_schema keeps an object where it needs a tag list).
func inJSONText(doc map[string]any, path, want string) bool {
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		for _, anc := range AllValues(doc, path[:i]) {
			texts := []any{anc}
			if list, ok := anc.([]any); ok {
				texts = list
			}
			for _, text := range texts {
				str, ok := text.(string)
				var m map[string]any
				if !ok || json.Unmarshal([]byte(str), &m) != nil {
					continue
				}
				for _, got := range AllValues(m, path[i+1:]) {
					raw, _ := json.Marshal(got)
					if sameJSON(string(raw), want) {
						return true
					}
				}
			}
		}
	}
	return false
}

// cutAndTagged: a string the pipeline cut (ml_schema at max_string_length) is a prefix of
// the original, in a record tagged truncated.
// CutLimit is ml_schema's default guard.max_string_length, in bytes: the only place a string
// may be cut.
const CutLimit = 32 << 10

func cutAndTagged(doc map[string]any, got, value any) bool {
	g, ok1 := got.(string)
	v, ok2 := value.(string)
	if !ok1 || !ok2 || len(v) <= CutLimit || len(g) > CutLimit || len(g) < CutLimit-utf8.UTFMax || !strings.HasPrefix(v, g) {
		return false
	}
	for _, tags := range AllValues(doc, schema.FieldTags) {
		if list, ok := tags.([]any); ok {
			for _, t := range list {
				if t == schema.TagTruncated {
					return true
				}
			}
		}
	}
	return false
}

// AllValues is every value a document holds at a dotted path, through nested objects and
// dotted keys alike (Elasticsearch indexes them all).
func AllValues(doc map[string]any, path string) []any {
	var out []any
	if v, ok := doc[path]; ok {
		out = append(out, v)
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		if sub, ok := doc[path[:i]].(map[string]any); ok {
			out = append(out, AllValues(sub, path[i+1:])...)
		}
	}
	return out
}

// sameJSON compares two JSON texts as values; a number and a string holding that number are
// the same value.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	if fx, ok := number(x); ok {
		if fy, ok := number(y); ok {
			return fx == fy
		}
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// containsAll: every field of the map want is in got (an object merged with other fields).
func containsAll(got, want any) bool {
	wm, ok := want.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if !ok || !ok2 {
		return false
	}
	for k, v := range wm {
		a, _ := json.Marshal(gm[k])
		b, _ := json.Marshal(v)
		if !sameJSON(string(a), string(b)) {
			return false
		}
	}
	return true
}
