// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package esstandin

import (
	"path/filepath"
	"strings"
	"testing"
)

func put(t *testing.T, url, body string) (int, string) {
	t.Helper()
	status, answer, err := Put(url, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return status, answer
}

// indexOne sends one create into index and returns the item's status and error type.
func indexOne(t *testing.T, s *Server, index, doc string) (int, string, map[string]any) {
	t.Helper()
	_, out := post(t, s.URL()+"/_bulk", `{"create":{"_index":"`+index+`"}}`+"\n"+doc+"\n", false)
	item := out["items"].([]any)[0].(map[string]any)["create"].(map[string]any)
	typ := ""
	if e, ok := item["error"].(map[string]any); ok {
		typ = e["type"].(string)
	}
	return int(item["status"].(float64)), typ, item
}

func withTemplate(t *testing.T, template string) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if code, body := put(t, s.URL()+"/_index_template/t", template); code != 200 {
		t.Fatalf("template refused: %d %s", code, body)
	}
	return s
}

// The mapping rules of Elasticsearch 8's DocumentParser and field mappers, one case each.
// References are to the Elasticsearch reference ("Field data types", "coerce",
// "ignore_above", "ignore_malformed", "dynamic", "Mapping limit settings", "Data streams").
func TestMappingRules(t *testing.T) {
	const mappings = `{"dynamic":"false","properties":{
		"@timestamp":{"type":"date"},
		"kw":{"type":"keyword","ignore_above":8},
		"term":{"type":"keyword"},
		"txt":{"type":"match_only_text"},
		"n":{"type":"long"}, "i":{"type":"integer"}, "strict_n":{"type":"long","coerce":false},
		"d":{"type":"double"}, "f":{"type":"float"},
		"b":{"type":"boolean"},
		"dt":{"type":"date"}, "ns":{"type":"date_nanos"},
		"lenient":{"type":"long","ignore_malformed":true},
		"obj":{"properties":{"a":{"type":"keyword"}}},
		"off":{"type":"object","enabled":false},
		"flat":{"type":"flattened"},
		"st":{"dynamic":"strict","properties":{"x":{"type":"keyword"}}},
		"dyn":{"dynamic":"true","properties":{}}
	}}`
	s := withTemplate(t, `{"index_patterns":["t-*"],"priority":200,"template":{"mappings":`+mappings+`}}`)
	cases := []struct {
		name, doc string
		status    int
		errType   string
	}{
		// keyword: strings, numbers and booleans are indexed as their text; objects are not.
		{"keyword takes numbers and booleans", `{"kw":12,"term":true}`, 201, ""},
		{"keyword refuses an object", `{"term":{"name":"x"}}`, 400, "document_parsing_exception"},
		// ignore_above: a longer value is kept in _source, not indexed, no error.
		{"ignore_above skips, does not refuse", `{"kw":"` + strings.Repeat("x", 40000) + `"}`, 201, ""},
		// Lucene refuses a term over 32766 bytes: "immense term".
		{"immense keyword term", `{"term":"` + strings.Repeat("x", 32767) + `"}`, 400, "illegal_argument_exception"},
		{"keyword at the term limit", `{"term":"` + strings.Repeat("x", 32766) + `"}`, 201, ""},
		{"text takes numbers", `{"txt":5}`, 201, ""},
		{"text refuses an object", `{"txt":{"a":1}}`, 400, "document_parsing_exception"},
		// coerce (default true): numeric strings and fractions into integer types.
		{"numeric string into long", `{"n":"42"}`, 201, ""},
		{"fraction into long is truncated", `{"n":4.7,"i":"3.9"}`, 201, ""},
		{"empty string into long is null", `{"n":""}`, 201, ""},
		{"non-numeric string into long", `{"n":"three"}`, 400, "document_parsing_exception"},
		{"long out of range", `{"n":9223372036854775808}`, 400, "document_parsing_exception"},
		{"integer out of range", `{"i":2147483648}`, 400, "document_parsing_exception"},
		{"boolean into long", `{"n":true}`, 400, "document_parsing_exception"},
		{"coerce false refuses strings", `{"strict_n":"1"}`, 400, "document_parsing_exception"},
		{"coerce false refuses fractions", `{"strict_n":1.5}`, 400, "document_parsing_exception"},
		{"double from string", `{"d":"1.5e3"}`, 201, ""},
		{"double refuses a non-number", `{"d":"fast"}`, 400, "document_parsing_exception"},
		// finite values only: "NaN" and "Infinity" parse as doubles and are refused.
		{"double refuses NaN", `{"d":"NaN"}`, 400, "document_parsing_exception"},
		{"double refuses overflow", `{"d":1e400}`, 400, "document_parsing_exception"},
		{"float refuses what float32 cannot hold", `{"f":1e39}`, 400, "document_parsing_exception"},
		// boolean: true, false, "true", "false" and "" (false); nothing else.
		{"boolean strings", `{"b":"false"}`, 201, ""},
		{"boolean empty string", `{"b":""}`, 201, ""},
		{"boolean refuses yes", `{"b":"yes"}`, 400, "document_parsing_exception"},
		{"boolean refuses 1", `{"b":1}`, 400, "document_parsing_exception"},
		// date: strict_date_optional_time||epoch_millis.
		{"date ISO", `{"dt":"2026-02-27T14:32:15.847+01:00"}`, 201, ""},
		{"date day only", `{"dt":"2026-02-27"}`, 201, ""},
		{"date epoch millis number", `{"dt":1772199135847}`, 201, ""},
		{"date epoch millis string", `{"dt":"1772199135847"}`, 201, ""},
		{"date asctime refused", `{"dt":"2026-02-27 14:32:15,847"}`, 400, "document_parsing_exception"},
		{"date five-digit year refused", `{"dt":"99999-01-01T00:00:00Z"}`, 400, "document_parsing_exception"},
		{"date 30 February refused", `{"dt":"2026-02-30"}`, 400, "document_parsing_exception"},
		{"date_nanos before 1970 refused", `{"ns":"1969-12-31T23:59:59Z"}`, 400, "document_parsing_exception"},
		// ignore_malformed: the value is skipped (_ignored), the document kept.
		{"ignore_malformed keeps the document", `{"lenient":"three"}`, 201, ""},
		// objects versus concrete values.
		{"concrete value for an object", `{"obj":"nope"}`, 400, "document_parsing_exception"},
		{"dotted key expands into the object", `{"obj.a":"x"}`, 201, ""},
		{"dotted key through a keyword", `{"term.x":"y"}`, 400, "document_parsing_exception"},
		{"arrays of values", `{"n":[1,"2",3.5],"obj":[{"a":"x"},{"a":"y"}]}`, 201, ""},
		{"an array with an object in a long", `{"n":[1,{"a":1}]}`, 400, "document_parsing_exception"},
		{"enabled false takes anything", `{"off":"text","flat":{"a":{"b":1}}}`, 201, ""},
		// Jackson's STRICT_DUPLICATE_DETECTION is on in Elasticsearch.
		{"duplicate keys refused", `{"n":1,"n":2}`, 400, "document_parsing_exception"},
		// Jackson's StreamReadConstraints: at most 1000 levels of nesting.
		{"nesting deeper than 1000 refused", `{"unknown":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, 400, "document_parsing_exception"},
		{"nesting of 1000 accepted", `{"unknown":` + strings.Repeat("[", 999) + strings.Repeat("]", 999) + `}`, 201, ""},
		{"malformed JSON refused", `{"n":1`, 400, "document_parsing_exception"},
		// dynamic: false ignores unknown fields; strict refuses them.
		{"dynamic false ignores unknown", `{"unknown":{"deep":[1,"x"]}}`, 201, ""},
		{"dynamic strict refuses unknown", `{"st":{"y":1}}`, 400, "strict_dynamic_mapping_exception"},
		// Field names: not empty, no empty or blank part between dots.
		{"empty field name", `{"":1}`, 400, "document_parsing_exception"},
		{"blank part of a dotted name", `{"a. .b":1}`, 400, "document_parsing_exception"},
		{"trailing dot", `{"obj.":1}`, 400, "document_parsing_exception"},
		{"null is no value", `{"n":null,"obj":null}`, 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, typ, item := indexOne(t, s, "t-1", c.doc)
			if status != c.status || typ != c.errType {
				t.Fatalf("%s: got %d %q, want %d %q (%v)", c.doc[:min(len(c.doc), 80)], status, typ, c.status, c.errType, item)
			}
		})
	}
}

// dynamic: true maps a field by its first value; a later value of another type is then
// refused, and new fields count toward index.mapping.total_fields.limit.
func TestDynamicMappingAndFieldLimit(t *testing.T) {
	s := withTemplate(t, `{"index_patterns":["d-*"],"priority":200,"template":{
		"settings":{"index.mapping.total_fields.limit":5},
		"mappings":{"dynamic":"true","properties":{"a":{"type":"keyword"}}}}}`)
	if status, typ, _ := indexOne(t, s, "d-1", `{"count":1}`); status != 201 {
		t.Fatalf("first value maps count as long: %d %s", status, typ)
	}
	if status, typ, _ := indexOne(t, s, "d-1", `{"count":"many"}`); status != 400 || typ != "document_parsing_exception" {
		t.Fatalf("a string into the long it became: %d %s", status, typ)
	}
	if status, typ, _ := indexOne(t, s, "d-1", `{"when":"2026-01-01T00:00:00Z"}`); status != 201 {
		t.Fatalf("date detection: %d %s", status, typ)
	}
	if status, typ, _ := indexOne(t, s, "d-1", `{"when":"yesterday"}`); status != 400 {
		t.Fatalf("a detected date refuses text: %d %s", status, typ)
	}
	// a, count, when = 3 fields; a text field brings its .keyword: 5; one more is over.
	if status, typ, _ := indexOne(t, s, "d-1", `{"note":"x"}`); status != 201 {
		t.Fatalf("up to the limit: %d %s", status, typ)
	}
	if status, typ, item := indexOne(t, s, "d-1", `{"extra":true}`); status != 400 || typ != "illegal_argument_exception" {
		t.Fatalf("over the limit: %d %s %v", status, typ, item)
	}
}

// index.mapping.ignore_malformed at the index level covers every field that supports it.
func TestIndexLevelIgnoreMalformed(t *testing.T) {
	s := withTemplate(t, `{"index_patterns":["m-*"],"priority":200,"template":{
		"settings":{"index":{"mapping":{"ignore_malformed":true}}},
		"mappings":{"properties":{"n":{"type":"long"},"o":{"properties":{"a":{"type":"long"}}}}}}}`)
	if status, typ, _ := indexOne(t, s, "m-1", `{"n":"x"}`); status != 201 {
		t.Fatalf("malformed long with index-level ignore_malformed: %d %s", status, typ)
	}
	if ignored := s.Docs()[0].Source["_ignored"]; ignored == nil {
		t.Fatal("the skipped field is listed in _ignored")
	}
	if status, _, _ := indexOne(t, s, "m-1", `{"o":"x"}`); status != 400 {
		t.Fatalf("ignore_malformed does not cover a concrete value for an object: %d", status)
	}
}

// Data streams: create only, @timestamp required; with the failure store enabled a refused
// document is answered 201 "failure_store":"used" and kept with its error; without it, 400
// "failure_store":"not_enabled".
func TestDataStreamsAndFailureStore(t *testing.T) {
	s := withTemplate(t, `{"index_patterns":["logs-fs-*"],"priority":300,"data_stream":{},"template":{
		"data_stream_options":{"failure_store":{"enabled":true}},
		"mappings":{"dynamic":"false","properties":{"@timestamp":{"type":"date"},"n":{"type":"long"}}}}}`)
	if status, typ, _ := indexOne(t, s, "logs-fs-default", `{"n":1}`); status != 201 || len(s.Failures()) != 1 {
		t.Fatalf("no @timestamp: %d %s, failures %d", status, typ, len(s.Failures()))
	}
	status, _, item := indexOne(t, s, "logs-fs-default", `{"@timestamp":"2026-01-01","n":"x"}`)
	if status != 201 || item["failure_store"] != "used" || !strings.HasPrefix(item["_index"].(string), ".fs-logs-fs-default-") {
		t.Fatalf("refused into the failure store: %v", item)
	}
	f := s.Failures()[1].Source
	if f["document"].(map[string]any)["source"] != `{"@timestamp":"2026-01-01","n":"x"}` || f["error"].(map[string]any)["type"] != "document_parsing_exception" {
		t.Fatalf("failure document %v", f)
	}
	if len(s.Docs()) != 0 || s.Refused() != 2 {
		t.Fatalf("docs %d refused %d", len(s.Docs()), s.Refused())
	}
	_, out := post(t, s.URL()+"/_bulk", `{"index":{"_index":"logs-fs-default"}}`+"\n"+`{"@timestamp":1}`+"\n", false)
	if it := out["items"].([]any)[0].(map[string]any)["index"].(map[string]any); it["status"].(float64) != 400 {
		t.Fatalf("an index op into a data stream: %v", it)
	}
	// The built-in logs-*-* template has no failure store.
	status, typ, item := indexOne(t, s, "logs-other-default", `{"@timestamp":"not a date"}`)
	if status != 400 || typ != "document_parsing_exception" || item["failure_store"] != "not_enabled" {
		t.Fatalf("without a failure store: %v", item)
	}
}

// Templates are checked when stored, as Elasticsearch checks them.
func TestTemplateValidation(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for name, body := range map[string]string{
		"unknown type":      `{"index_patterns":["a-*"],"template":{"mappings":{"properties":{"x":{"type":"strng"}}}}}`,
		"unknown parameter": `{"index_patterns":["a-*"],"template":{"mappings":{"properties":{"x":{"type":"long","ignore_above":5}}}}}`,
		"no patterns":       `{"template":{}}`,
		"missing component": `{"index_patterns":["a-*"],"composed_of":["nope"]}`,
		"same priority":     `{"index_patterns":["logs-x-*"],"priority":100}`,
	} {
		if code, resp := put(t, s.URL()+"/_index_template/bad", body); code != 400 {
			t.Errorf("%s: accepted (%d %s)", name, code, resp)
		}
	}
	if code, _ := put(t, s.URL()+"/_ilm/policy/p", `{"policy":{"phases":{"lukewarm":{}}}}`); code != 400 {
		t.Error("an unknown ILM phase is accepted")
	}
	if code, _ := put(t, s.URL()+"/_ilm/policy/p", `{"policy":{"phases":{"hot":{"actions":{}}}}}`); code != 200 {
		t.Error("a valid ILM policy is refused")
	}
	if status, typ, _ := indexOne(t, s, "UPPER", `{}`); status != 400 || typ != "invalid_index_name_exception" {
		t.Errorf("an uppercase index name: %d %s", status, typ)
	}
}

// The shipped template and policy install the way make es-setup installs them.
func TestShippedTemplateInstalls(t *testing.T) {
	s, err := StartShipped("127.0.0.1:0", filepath.Join("..", "..", "configs", "elasticsearch"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if names := s.TemplateNames(); len(names) != 2 || names[1] != TemplateName {
		t.Fatalf("templates %v", names)
	}
}
