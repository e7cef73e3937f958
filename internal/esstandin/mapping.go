// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package esstandin

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// maxTermBytes is Lucene's limit on one indexed term (IndexWriter.MAX_TERM_LENGTH): a keyword
// value longer than this in UTF-8 is refused unless ignore_above keeps it out of the index.
const maxTermBytes = 32766

// defaultTotalFieldsLimit is index.mapping.total_fields.limit's default.
const defaultTotalFieldsLimit = 1000

// fieldMapping is one node of an index's mappings: an object (Properties set or type
// "object") or a concrete field.
type fieldMapping struct {
	Type            string // "object" for objects
	Properties      map[string]*fieldMapping
	Dynamic         string // "", "true", "false", "strict", "runtime" ("" inherits)
	Enabled         bool   // objects: false means not parsed at all (kept in _source only)
	IgnoreAbove     int    // keyword, flattened; 0: none
	IgnoreMalformed *bool  // numeric and date types
	Coerce          *bool  // numeric types
	Formats         []string
	Fields          map[string]*fieldMapping // multi-fields
}

// parameters each field type accepts; anything else is refused at template time as
// Elasticsearch refuses it ("unknown parameter [x] on mapper [y] of type [z]").
var typeParams = map[string][]string{
	"keyword":         {"ignore_above", "fields", "index", "doc_values", "store", "null_value", "meta", "normalizer", "eager_global_ordinals", "similarity", "norms", "split_queries_on_whitespace", "time_series_dimension", "script", "on_script_error"},
	"text":            {"fields", "index", "store", "analyzer", "search_analyzer", "norms", "meta", "index_options", "fielddata", "position_increment_gap"},
	"match_only_text": {"fields", "meta"},
	"wildcard":        {"ignore_above", "null_value", "meta"},
	"long":            {"coerce", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "fields", "time_series_metric", "script", "on_script_error"},
	"integer":         {"coerce", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "fields", "time_series_metric", "script", "on_script_error"},
	"short":           {"coerce", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "fields"},
	"byte":            {"coerce", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "fields"},
	"double":          {"coerce", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "fields", "time_series_metric", "script", "on_script_error"},
	"float":           {"coerce", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "fields", "time_series_metric", "script", "on_script_error"},
	"boolean":         {"index", "doc_values", "store", "null_value", "meta", "fields", "ignore_malformed", "script", "on_script_error"},
	"date":            {"format", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "locale", "fields", "script", "on_script_error"},
	"date_nanos":      {"format", "ignore_malformed", "index", "doc_values", "store", "null_value", "meta", "locale", "fields", "script", "on_script_error"},
	"flattened":       {"ignore_above", "depth_limit", "index", "doc_values", "null_value", "meta", "eager_global_ordinals", "split_queries_on_whitespace"},
	"object":          {"properties", "dynamic", "enabled", "subobjects"},
}

// compileMappings reads a template's "mappings" as Elasticsearch does when the template is
// stored: unknown types and unknown parameters are refused, dotted property names expand into
// objects.
func compileMappings(raw map[string]any) (*fieldMapping, error) {
	root := &fieldMapping{Type: "object", Enabled: true, Properties: map[string]*fieldMapping{}, Dynamic: "true"}
	if raw == nil {
		return root, nil
	}
	for k, v := range raw {
		switch k {
		case "dynamic":
			d, err := dynamicValue(v)
			if err != nil {
				return nil, err
			}
			root.Dynamic = d
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("[properties] must be an object")
			}
			if err := compileProperties(root, props, ""); err != nil {
				return nil, err
			}
		case "date_detection", "numeric_detection", "dynamic_templates", "_source", "_meta", "_routing", "dynamic_date_formats", "subobjects":
			// accepted; only the default date detection is modelled
		default:
			return nil, fmt.Errorf("Root mapping definition has unsupported parameters:  [%s : %v]", k, v) //nolint:staticcheck // Elasticsearch's own wording
		}
	}
	return root, nil
}

func dynamicValue(v any) (string, error) {
	s := fmt.Sprint(v)
	switch s {
	case "true", "false", "strict", "runtime":
		return s, nil
	}
	return "", fmt.Errorf("Could not convert [dynamic] to boolean") //nolint:staticcheck // Elasticsearch's own wording
}

func compileProperties(parent *fieldMapping, props map[string]any, prefix string) error {
	for name, def := range props {
		spec, ok := def.(map[string]any)
		if !ok {
			return fmt.Errorf("Expected map for property [fields] on field [%s] but got a %T", prefix+name, def) //nolint:staticcheck // Elasticsearch's own wording
		}
		// "a.b": {...} in properties is the object a holding b.
		target, leaf := parent, name
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			for _, part := range strings.Split(name[:i], ".") {
				child := target.Properties[part]
				if child == nil {
					child = &fieldMapping{Type: "object", Enabled: true, Properties: map[string]*fieldMapping{}}
					target.Properties[part] = child
				}
				target = child
			}
			leaf = name[i+1:]
		}
		fm, err := compileField(spec, prefix+name)
		if err != nil {
			return err
		}
		target.Properties[leaf] = fm
	}
	return nil
}

func compileField(spec map[string]any, path string) (*fieldMapping, error) {
	typ, _ := spec["type"].(string)
	if typ == "" {
		typ = "object"
	}
	if typ == "nested" {
		return nil, fmt.Errorf("field [%s]: type [nested] is not modelled by the stand-in", path)
	}
	allowed, known := typeParams[typ]
	if !known {
		return nil, fmt.Errorf("No handler for type [%s] declared on field [%s]", typ, path) //nolint:staticcheck // Elasticsearch's own wording
	}
	fm := &fieldMapping{Type: typ, Enabled: true}
	for k, v := range spec {
		if k == "type" {
			continue
		}
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("unknown parameter [%s] on mapper [%s] of type [%s]", k, path, typ)
		}
		if err := fm.setParam(k, v, path); err != nil {
			return nil, err
		}
	}
	if typ == "date" || typ == "date_nanos" {
		if len(fm.Formats) == 0 {
			fm.Formats = []string{"strict_date_optional_time", "epoch_millis"}
		}
	}
	return fm, nil
}

func (fm *fieldMapping) setParam(k string, v any, path string) error {
	switch k {
	case "properties":
		props, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("[properties] of [%s] must be an object", path)
		}
		fm.Properties = map[string]*fieldMapping{}
		return compileProperties(fm, props, path+".")
	case "dynamic":
		d, err := dynamicValue(v)
		fm.Dynamic = d
		return err
	case "enabled":
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("Failed to parse value [%v] as only [true] or [false] are allowed.", v) //nolint:staticcheck // Elasticsearch's own wording
		}
		fm.Enabled = b
	case "ignore_above":
		n, ok := jsonInt(v)
		if !ok || n < 0 {
			return fmt.Errorf("[ignore_above] on [%s] must be a non-negative integer", path)
		}
		fm.IgnoreAbove = n
	case "ignore_malformed", "coerce":
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("Failed to parse value [%v] as only [true] or [false] are allowed.", v) //nolint:staticcheck // Elasticsearch's own wording
		}
		if k == "coerce" {
			fm.Coerce = &b
		} else {
			fm.IgnoreMalformed = &b
		}
	case "format":
		s, _ := v.(string)
		for _, f := range strings.Split(s, "||") {
			if !knownDateFormat(f) {
				return fmt.Errorf("Invalid format: [%s]: the stand-in models strict_date_optional_time, date_optional_time, epoch_millis and epoch_second", s) //nolint:staticcheck // Elasticsearch's own wording
			}
			fm.Formats = append(fm.Formats, f)
		}
	case "fields":
		subs, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("[fields] of [%s] must be an object", path)
		}
		fm.Fields = map[string]*fieldMapping{}
		for name, def := range subs {
			spec, _ := def.(map[string]any)
			sub, err := compileField(spec, path+"."+name)
			if err != nil {
				return err
			}
			fm.Fields[name] = sub
		}
	}
	return nil
}

func jsonInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), n == math.Trunc(n)
	case int:
		return n, true
	}
	return 0, false
}

func (fm *fieldMapping) isObject() bool { return fm.Type == "object" }

// count is the number of mappers this node adds to index.mapping.total_fields.limit: every
// object and field, and each multi-field.
func (fm *fieldMapping) count() int {
	n := 0
	for _, child := range fm.Properties {
		n += 1 + child.count()
	}
	for range fm.Fields {
		n++
	}
	return n
}

func (fm *fieldMapping) clone() *fieldMapping {
	c := *fm
	if fm.Properties != nil {
		c.Properties = make(map[string]*fieldMapping, len(fm.Properties))
		for k, v := range fm.Properties {
			c.Properties[k] = v.clone()
		}
	}
	return &c
}

// docError is a refused document: Elasticsearch's error type and reason.
type docError struct {
	Type, Reason string
}

func (e *docError) Error() string { return e.Type + ": " + e.Reason }

// indexState is one index or data stream: its live mappings (dynamic updates land here) and
// the settings the parser consults.
type indexState struct {
	mappings         *fieldMapping
	ignoreMalformed  bool
	totalFieldsLimit int
	dataStream       bool
	failureStore     bool
}

// docParser parses one document against an index, as DocumentParser does: it walks the
// source, checks every value against its field's mapping, adds dynamic fields, and refuses
// the document at the first value Elasticsearch would refuse.
type docParser struct {
	idx     *indexState
	id      string
	added   int // new mappers from dynamic mapping
	ignored []string
	// newFields are dynamic additions, applied to the index only if the document is accepted.
	pending []pendingField
	hasTS   bool
}

type pendingField struct {
	parent *fieldMapping
	name   string
	field  *fieldMapping
}

func (p *docParser) parse(src jsonValue) error {
	if err := p.object(p.idx.mappings, "", src.obj, p.idx.mappings.Dynamic); err != nil {
		return err
	}
	if p.added > 0 {
		if total := p.idx.mappings.count() + p.added; total > p.idx.totalFieldsLimit {
			return &docError{"illegal_argument_exception", fmt.Sprintf("Limit of total fields [%d] has been exceeded while adding new fields [%d]", p.idx.totalFieldsLimit, p.added)}
		}
	}
	if p.idx.dataStream && !p.hasTS {
		return &docError{"document_parsing_exception", "[1:1] data stream timestamp field [@timestamp] is missing"}
	}
	return nil
}

// commit applies the document's dynamic mappings to the index.
func (p *docParser) commit() {
	for _, f := range p.pending {
		if f.parent.Properties == nil {
			f.parent.Properties = map[string]*fieldMapping{}
		}
		if _, exists := f.parent.Properties[f.name]; !exists {
			f.parent.Properties[f.name] = f.field
		}
	}
}

func (p *docParser) object(m *fieldMapping, prefix string, members []jsonMember, dynamic string) error {
	if m.Dynamic != "" {
		dynamic = m.Dynamic
	}
	for _, mem := range members {
		if err := p.member(m, prefix, mem.key, mem.val, dynamic); err != nil {
			return err
		}
	}
	return nil
}

// member parses key: val inside object m; a dotted key is a path of objects.
func (p *docParser) member(m *fieldMapping, prefix, key string, val jsonValue, dynamic string) error {
	if key == "" {
		return &docError{"document_parsing_exception", "[1:2] field name cannot be an empty string"}
	}
	parts := strings.Split(key, ".")
	for _, part := range parts {
		if strings.TrimSpace(part) == "" {
			return &docError{"document_parsing_exception", fmt.Sprintf("[1:2] field name cannot contain only whitespace: ['%s']", key)}
		}
	}
	for i, part := range parts[:len(parts)-1] {
		path := prefix + strings.Join(parts[:i+1], ".")
		child := p.lookup(m, part)
		if child == nil {
			if dynamic == "strict" {
				return strictError(part, prefix)
			}
			if dynamic != "true" {
				return nil // not mapped, not indexed: kept in _source only
			}
			child = &fieldMapping{Type: "object", Enabled: true, Properties: map[string]*fieldMapping{}}
			p.addDynamic(m, part, child)
		}
		if !child.isObject() {
			return &docError{"document_parsing_exception", fmt.Sprintf("[1:2] Could not dynamically add mapping for field [%s]. Existing mapping for [%s] must be of type object but found [%s].", prefix+key, path, child.Type)}
		}
		if !child.Enabled {
			return nil
		}
		if child.Dynamic != "" {
			dynamic = child.Dynamic
		}
		m = child
	}
	name := parts[len(parts)-1]
	path := prefix + key
	return p.value(m, name, path, val, dynamic)
}

// lookup finds a child mapping, including one added earlier in this document.
func (p *docParser) lookup(m *fieldMapping, name string) *fieldMapping {
	if c := m.Properties[name]; c != nil {
		return c
	}
	for _, f := range p.pending {
		if f.parent == m && f.name == name {
			return f.field
		}
	}
	return nil
}

func (p *docParser) addDynamic(parent *fieldMapping, name string, f *fieldMapping) {
	p.pending = append(p.pending, pendingField{parent, name, f})
	p.added += 1 + f.count()
}

func strictError(name, prefix string) error {
	within := strings.TrimSuffix(prefix, ".")
	if within == "" {
		within = "_doc"
	}
	return &docError{"strict_dynamic_mapping_exception", fmt.Sprintf("[1:2] mapping set to strict, dynamic introduction of [%s] within [%s] is not allowed", name, within)}
}

func (p *docParser) value(parent *fieldMapping, name, path string, val jsonValue, dynamic string) error {
	if val.kind == jsonNull {
		return nil
	}
	m := p.lookup(parent, name)
	if m == nil {
		if dynamic == "strict" {
			return strictError(name, strings.TrimSuffix(path, name))
		}
		if dynamic != "true" {
			return nil
		}
		m = dynamicMapping(val)
		if m == nil {
			return nil // an empty or all-null array maps nothing yet
		}
		p.addDynamic(parent, name, m)
	}
	if path == "@timestamp" && (m.Type == "date" || m.Type == "date_nanos") && val.kind != jsonArray {
		p.hasTS = true
	}
	if val.kind == jsonArray {
		for _, el := range val.arr {
			if err := p.value(parent, name, path, el, dynamic); err != nil {
				return err
			}
		}
		return nil
	}
	if m.isObject() {
		if !m.Enabled {
			return nil
		}
		if val.kind != jsonObject {
			return &docError{"document_parsing_exception", fmt.Sprintf("[1:2] object mapping for [%s] tried to parse field [%s] as object, but found a concrete value", path, name)}
		}
		return p.object(m, path+".", val.obj, dynamic)
	}
	return p.concrete(m, path, val)
}

// dynamicMapping is what dynamic: true adds for a first value (the default dynamic field
// mapping table): strings are dates when they parse as strict_date_optional_time, else text
// with a keyword sub-field (ignore_above 256); integers long; fractions float.
func dynamicMapping(val jsonValue) *fieldMapping {
	switch val.kind {
	case jsonString:
		if _, ok := parseStrictDateOptionalTime(val.str, false); ok {
			return &fieldMapping{Type: "date", Enabled: true, Formats: []string{"strict_date_optional_time", "epoch_millis"}}
		}
		return &fieldMapping{Type: "text", Enabled: true, Fields: map[string]*fieldMapping{"keyword": {Type: "keyword", Enabled: true, IgnoreAbove: 256}}}
	case jsonNumber:
		if strings.ContainsAny(val.str, ".eE") {
			return &fieldMapping{Type: "float", Enabled: true}
		}
		return &fieldMapping{Type: "long", Enabled: true}
	case jsonBool:
		return &fieldMapping{Type: "boolean", Enabled: true}
	case jsonObject:
		return &fieldMapping{Type: "object", Enabled: true, Properties: map[string]*fieldMapping{}}
	case jsonArray:
		for _, el := range val.arr {
			if el.kind != jsonNull {
				return dynamicMapping(el)
			}
		}
	}
	return nil
}

func (p *docParser) concrete(m *fieldMapping, path string, val jsonValue) error {
	err := checkValue(m, val)
	if err == nil {
		if m.Type == "keyword" && val.kind != jsonObject {
			return p.keywordTerm(m, path, val)
		}
		return nil
	}
	if err.ignorable && p.ignoresMalformed(m) {
		p.ignored = append(p.ignored, path)
		return nil
	}
	reason := fmt.Sprintf("[1:2] failed to parse field [%s] of type [%s] in document with id '%s'. Preview of field's value: '%s'", path, m.Type, p.id, val.preview())
	return &docError{"document_parsing_exception", reason + " (caused by: " + err.cause + ")"}
}

func (p *docParser) keywordTerm(m *fieldMapping, path string, val jsonValue) error {
	s := val.str
	if val.kind == jsonBool {
		s = strconv.FormatBool(val.b)
	}
	if m.IgnoreAbove > 0 && len(utf16.Encode([]rune(s))) > m.IgnoreAbove {
		p.ignored = append(p.ignored, path)
		return nil
	}
	if len(s) > maxTermBytes {
		return &docError{"illegal_argument_exception", fmt.Sprintf("Document contains at least one immense term in field=\"%s\" (whose UTF8 encoding is longer than the max length %d), all of which were skipped. The prefix of the first immense term is: '%s...'", path, maxTermBytes, s[:30])}
	}
	return nil
}

func (p *docParser) ignoresMalformed(m *fieldMapping) bool {
	if m.IgnoreMalformed != nil {
		return *m.IgnoreMalformed
	}
	return p.idx.ignoreMalformed
}

// valueError says why a value does not fit its field, and whether ignore_malformed may
// swallow it (Elasticsearch's ignore_malformed covers malformed values of numeric, date and
// boolean fields, not objects given to them: the stand-in refuses those either way).
type valueError struct {
	cause     string
	ignorable bool
}

func malformed(cause string) *valueError { return &valueError{cause: cause, ignorable: true} }

func checkValue(m *fieldMapping, val jsonValue) *valueError {
	if val.kind == jsonObject && m.Type != "flattened" {
		return &valueError{cause: "illegal_argument_exception: unexpected token [START_OBJECT]"}
	}
	switch m.Type {
	case "keyword", "text", "match_only_text", "wildcard", "flattened":
		return nil
	case "boolean":
		return checkBool(val)
	case "long", "integer", "short", "byte":
		return checkInteger(m, val)
	case "double", "float":
		return checkFloat(m, val)
	case "date", "date_nanos":
		return checkDate(m, val)
	}
	return nil
}

// checkBool: JSON booleans, the strings "true" and "false", and "" (false) are booleans.
func checkBool(val jsonValue) *valueError {
	switch val.kind {
	case jsonBool:
		return nil
	case jsonString:
		if val.str == "true" || val.str == "false" || val.str == "" {
			return nil
		}
		return malformed("illegal_argument_exception: Failed to parse value [" + val.str + "] as only [true] or [false] are allowed.")
	}
	return malformed("illegal_argument_exception: Failed to parse value [" + val.preview() + "] as only [true] or [false] are allowed.")
}

var integerRange = map[string][2]int64{
	"long": {math.MinInt64, math.MaxInt64}, "integer": {math.MinInt32, math.MaxInt32},
	"short": {math.MinInt16, math.MaxInt16}, "byte": {math.MinInt8, math.MaxInt8},
}

var integerArticle = map[string]string{"long": "a long", "integer": "an integer", "short": "a short", "byte": "a byte"}

// checkInteger: numbers and numeric strings; with coerce (the default) fractions are
// truncated; out of range is refused; "" is null.
func checkInteger(m *fieldMapping, val jsonValue) *valueError {
	coerce := m.Coerce == nil || *m.Coerce
	text := val.str
	switch val.kind {
	case jsonBool:
		return malformed("x_content_parse_exception: Current token (VALUE_" + strings.ToUpper(strconv.FormatBool(val.b)) + ") not numeric, can not use numeric value accessors")
	case jsonString:
		if text == "" && coerce {
			return nil
		}
		if !coerce {
			return malformed("illegal_argument_exception: [" + m.Type + "] does not accept string values when coerce is false")
		}
	}
	r, ok := new(big.Rat).SetString(strings.TrimSpace(text))
	if !ok || strings.ContainsAny(text, "/") {
		return malformed("number_format_exception: For input string: \"" + text + "\"")
	}
	if !r.IsInt() && !coerce {
		return malformed("illegal_argument_exception: Value [" + text + "] has a decimal part")
	}
	whole := new(big.Int).Quo(r.Num(), r.Denom())
	bounds := integerRange[m.Type]
	if !whole.IsInt64() || whole.Int64() < bounds[0] || whole.Int64() > bounds[1] {
		return malformed("illegal_argument_exception: Value [" + text + "] is out of range for " + integerArticle[m.Type])
	}
	return nil
}

// checkFloat: numbers and numeric strings, finite only (float: within float32).
func checkFloat(m *fieldMapping, val jsonValue) *valueError {
	switch val.kind {
	case jsonBool:
		return malformed("x_content_parse_exception: Current token (VALUE_" + strings.ToUpper(strconv.FormatBool(val.b)) + ") not numeric, can not use numeric value accessors")
	case jsonString:
		if val.str == "" && (m.Coerce == nil || *m.Coerce) {
			return nil
		}
		if m.Coerce != nil && !*m.Coerce {
			return malformed("illegal_argument_exception: [" + m.Type + "] does not accept string values when coerce is false")
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(val.str), 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return malformed("number_format_exception: For input string: \"" + val.str + "\"")
	}
	if m.Type == "float" && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) > math.MaxFloat32 {
		f = math.Inf(1)
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return malformed("illegal_argument_exception: [" + m.Type + "] supports only finite values, but got [" + strconv.FormatFloat(f, 'G', -1, 64) + "]")
	}
	return nil
}

// nanosMax is the last instant date_nanos can hold (2262-04-11T23:47:16.854775807Z).
const nanosMaxMillis = math.MaxInt64 / 1e6

func checkDate(m *fieldMapping, val jsonValue) *valueError {
	var millis float64
	ok := false
	switch val.kind {
	case jsonNumber:
		// A JSON number is read with the epoch formats only.
		for _, f := range m.Formats {
			if f == "epoch_millis" || f == "epoch_second" {
				if v, err := strconv.ParseFloat(val.str, 64); err == nil {
					millis, ok = v, true
					if f == "epoch_second" {
						millis *= 1000
					}
					break
				}
			}
		}
	case jsonString:
		for _, f := range m.Formats {
			if ms, parsed := parseDateFormat(f, val.str); parsed {
				millis, ok = ms, true
				break
			}
		}
	}
	if !ok {
		return malformed("illegal_argument_exception: failed to parse date field [" + val.preview() + "] with format [" + strings.Join(m.Formats, "||") + "]")
	}
	if m.Type == "date_nanos" && (millis < 0 || millis > nanosMaxMillis) {
		return malformed("illegal_argument_exception: date[" + val.preview() + "] is before the epoch in 1970 or after 2262-04-11T23:47:16.854775807Z and cannot be stored in nanosecond resolution")
	}
	return nil
}

func knownDateFormat(f string) bool {
	switch f {
	case "strict_date_optional_time", "date_optional_time", "epoch_millis", "epoch_second", "strict_date_optional_time_nanos":
		return true
	}
	return false
}

func parseDateFormat(f, s string) (float64, bool) {
	switch f {
	case "strict_date_optional_time", "strict_date_optional_time_nanos":
		return parseStrictDateOptionalTime(s, false)
	case "date_optional_time":
		return parseStrictDateOptionalTime(s, true)
	case "epoch_millis", "epoch_second":
		if !isEpochText(s) {
			return 0, false
		}
		v, err := strconv.ParseFloat(s, 64)
		if f == "epoch_second" {
			v *= 1000
		}
		return v, err == nil
	}
	return 0, false
}

// isEpochText: an optional minus, digits, an optional fraction (what epoch_millis parses).
func isEpochText(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	return allDigits(whole) && whole != "" && (!hasFrac || allDigits(frac) && frac != "")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseStrictDateOptionalTime reads yyyy[-MM[-dd]][THH[:mm[:ss[.f{1,9}]]]][Z|±HH[:mm]] with a
// four-digit year (lenient: one to nine digits, as date_optional_time), checking every field's
// range; it returns epoch milliseconds (whole seconds: ranges are all it is used for).
func parseStrictDateOptionalTime(s string, lenientYear bool) (float64, bool) {
	i := 0
	num := func(min, max int) (int, bool) {
		j := i
		for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i < min {
			return 0, false
		}
		n, _ := strconv.Atoi(s[i:j])
		i = j
		return n, true
	}
	lit := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	yMin, yMax := 4, 4
	if lenientYear {
		yMin, yMax = 1, 9
	}
	year, ok := num(yMin, yMax)
	if !ok {
		return 0, false
	}
	month, day := 1, 1
	if lit('-') {
		if month, ok = num(2, 2); !ok || month < 1 || month > 12 {
			return 0, false
		}
		if lit('-') {
			if day, ok = num(2, 2); !ok || day < 1 || day > daysIn(year, month) {
				return 0, false
			}
		}
	}
	hour, minute, sec, offset := 0, 0, 0, 0
	if lit('T') {
		if hour, ok = num(2, 2); !ok || hour > 23 {
			return 0, false
		}
		if lit(':') {
			if minute, ok = num(2, 2); !ok || minute > 59 {
				return 0, false
			}
			if lit(':') {
				if sec, ok = num(2, 2); !ok || sec > 59 {
					return 0, false
				}
				if lit('.') {
					if _, ok = num(1, 9); !ok {
						return 0, false
					}
				}
			}
		}
		if i < len(s) && !lit('Z') {
			sign := 1
			if lit('-') {
				sign = -1
			} else if !lit('+') {
				return 0, false
			}
			oh, ok := num(2, 2)
			if !ok || oh > 18 {
				return 0, false
			}
			lit(':')
			om := 0
			if i < len(s) {
				if om, ok = num(2, 2); !ok || om > 59 {
					return 0, false
				}
			}
			offset = sign * (oh*3600 + om*60)
		}
	}
	if i != len(s) {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	return float64(t.Unix()-int64(offset)) * 1000, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
