// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package esstandin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// indexTemplate is a stored composable index template (PUT _index_template/<name>).
type indexTemplate struct {
	name         string
	patterns     []string
	priority     int
	dataStream   bool
	failureStore bool
	mappings     *fieldMapping
	settings     map[string]any
	raw          map[string]any
}

// putTemplate stores a template after checking what Elasticsearch checks when it stores one:
// index_patterns present, mappings that compile, component templates that exist (none do
// here), settings the stand-in understands the type of.
func (s *Server) putTemplate(name string, body []byte) (int, string) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return 400, errorBody("x_content_parse_exception", err.Error())
	}
	t := &indexTemplate{name: name, raw: raw, settings: map[string]any{}}
	for k, v := range raw {
		switch k {
		case "index_patterns":
			for _, p := range asList(v) {
				t.patterns = append(t.patterns, fmt.Sprint(p))
			}
		case "priority":
			n, _ := jsonInt(v)
			t.priority = n
		case "data_stream":
			t.dataStream = true
		case "composed_of":
			if list := asList(v); len(list) > 0 {
				return 400, errorBody("invalid_index_template_exception", fmt.Sprintf("index_template [%s] invalid, cause [index template [%s] specifies component templates %v that do not exist]", name, name, list))
			}
		case "template":
			tmpl, _ := v.(map[string]any)
			if err := t.readTemplate(tmpl); err != nil {
				return 400, errorBody("mapper_parsing_exception", "Failed to parse mapping: "+err.Error())
			}
		case "_meta", "version", "allow_auto_create", "ignore_missing_component_templates", "deprecated":
		default:
			return 400, errorBody("x_content_parse_exception", fmt.Sprintf("[1:2] [index_template] unknown field [%s]", k))
		}
	}
	if len(t.patterns) == 0 {
		return 400, errorBody("action_request_validation_exception", "Validation Failed: 1: index patterns are missing;")
	}
	if t.mappings == nil {
		t.mappings, _ = compileMappings(nil)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range s.templates {
		if other.name != name && other.priority == t.priority && overlaps(other.patterns, t.patterns) {
			return 400, errorBody("illegal_argument_exception", fmt.Sprintf("index template [%s] has index patterns %v matching patterns from existing templates [%s] with patterns (%s => %v) that have the same priority [%d], multiple index templates may not match during index creation, please use a different priority", name, t.patterns, other.name, other.name, other.patterns, t.priority))
		}
	}
	if s.templates == nil {
		s.templates = map[string]*indexTemplate{}
	}
	s.templates[name] = t
	return 200, `{"acknowledged":true}`
}

func (t *indexTemplate) readTemplate(tmpl map[string]any) error {
	for k, v := range tmpl {
		switch k {
		case "mappings":
			raw, _ := v.(map[string]any)
			m, err := compileMappings(raw)
			if err != nil {
				return err
			}
			t.mappings = m
		case "settings":
			flattenSettings("", v, t.settings)
		case "data_stream_options":
			opts, _ := v.(map[string]any)
			fs, _ := opts["failure_store"].(map[string]any)
			t.failureStore, _ = fs["enabled"].(bool)
		case "aliases", "lifecycle":
		default:
			return fmt.Errorf("unknown field [%s] in template", k)
		}
	}
	return nil
}

// flattenSettings turns {"index": {"mapping": {...}}} and "index.mapping..." into one form,
// without the "index." prefix, as Elasticsearch normalises settings.
func flattenSettings(prefix string, v any, out map[string]any) {
	if m, ok := v.(map[string]any); ok {
		for k, sub := range m {
			flattenSettings(prefix+k+".", sub, out)
		}
		return
	}
	out[strings.TrimPrefix(strings.TrimSuffix(prefix, "."), "index.")] = v
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// overlaps reports whether two pattern lists can match one name (the check Elasticsearch
// runs is an automaton intersection; the stand-in compares the patterns' literal prefixes).
func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			px, py := strings.SplitN(x, "*", 2)[0], strings.SplitN(y, "*", 2)[0]
			if strings.HasPrefix(px, py) || strings.HasPrefix(py, px) {
				return true
			}
		}
	}
	return false
}

// putILMPolicy stores a lifecycle policy: a "policy" object whose phases are Elasticsearch's.
func (s *Server) putILMPolicy(name string, body []byte) (int, string) {
	var raw struct {
		Policy map[string]any `json:"policy"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw.Policy == nil {
		return 400, errorBody("x_content_parse_exception", "[1:1] [put_lifecycle_request] policy is missing")
	}
	phases, _ := raw.Policy["phases"].(map[string]any)
	for phase := range phases {
		switch phase {
		case "hot", "warm", "cold", "frozen", "delete":
		default:
			return 400, errorBody("illegal_argument_exception", "Timeseries lifecycle does not support phase ["+phase+"]")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.policies == nil {
		s.policies = map[string]map[string]any{}
	}
	s.policies[name] = raw.Policy
	return 200, `{"acknowledged":true}`
}

func errorBody(typ, reason string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"type": typ, "reason": reason, "root_cause": []any{map[string]any{"type": typ, "reason": reason}}}, "status": 400})
	return string(b)
}

// matchTemplate is the highest-priority template whose patterns match name.
func (s *Server) matchTemplate(name string) *indexTemplate {
	var best *indexTemplate
	for _, t := range s.templates {
		for _, p := range t.patterns {
			if ok, _ := path.Match(p, name); ok && (best == nil || t.priority > best.priority) {
				best = t
			}
		}
	}
	return best
}

// validIndexName applies Elasticsearch's index-name rules (MetadataCreateIndexService).
func validIndexName(name string) string {
	switch {
	case name != strings.ToLower(name):
		return "must be lowercase"
	case strings.HasPrefix(name, "_") || strings.HasPrefix(name, "-") || strings.HasPrefix(name, "+"):
		return "must not start with '_', '-', or '+'"
	case strings.ContainsAny(name, `\/*?"<>| ,#:`):
		return `must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?]`
	case len(name) > 255:
		return "index name is too long"
	}
	return ""
}

// resolve finds or creates the index or data stream a write targets, as auto-creation does:
// a matching template's mappings and settings, a data stream if the template says so; with
// no template, a plain index with dynamic mappings (unless the write requires a data stream).
func (s *Server) resolve(name string, requireDS bool) (*indexState, *docError, int) {
	if idx := s.indices[name]; idx != nil {
		if requireDS && !idx.dataStream {
			return nil, &docError{"index_not_found_exception", "no such index [" + name + "] and [require_data_stream] request flag is [true] and [" + name + "] is not a data stream"}, 404
		}
		return idx, nil, 0
	}
	if why := validIndexName(name); why != "" {
		return nil, &docError{"invalid_index_name_exception", "Invalid index name [" + name + "], " + why}, 400
	}
	t := s.matchTemplate(name)
	if requireDS && (t == nil || !t.dataStream) {
		return nil, &docError{"index_not_found_exception", "no such index [" + name + "] and [require_data_stream] request flag is [true] and [" + name + "] is not a data stream"}, 404
	}
	idx := &indexState{totalFieldsLimit: defaultTotalFieldsLimit}
	if t == nil {
		idx.mappings, _ = compileMappings(nil)
	} else {
		idx.mappings = t.mappings.clone()
		idx.dataStream, idx.failureStore = t.dataStream, t.dataStream && t.failureStore
		if v, ok := t.settings["mapping.total_fields.limit"]; ok {
			if n, err := strconv.Atoi(fmt.Sprint(v)); err == nil {
				idx.totalFieldsLimit = n
			}
		}
		if v, ok := t.settings["mapping.ignore_malformed"]; ok {
			idx.ignoreMalformed = fmt.Sprint(v) == "true"
		}
	}
	if s.indices == nil {
		s.indices = map[string]*indexState{}
	}
	s.indices[name] = idx
	return idx, nil, 0
}

// failureDoc is what Elasticsearch's failure store keeps for a refused document: when it
// failed, the original document as sent and the error.
func failureDoc(index, id, raw string, e *docError) map[string]any {
	return map[string]any{
		"@timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"document":   map[string]any{"index": index, "id": id, "source": raw},
		"error":      map[string]any{"type": e.Type, "message": e.Reason},
	}
}

func failureIndex(dataStream string) string {
	return ".fs-" + dataStream + "-" + time.Now().UTC().Format("2006.01.02") + "-000001"
}

func (s *Server) handleTemplateAPI(w http.ResponseWriter, r *http.Request) bool {
	kind, name, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok || (kind != "_index_template" && kind != "_ilm") {
		return false
	}
	if kind == "_ilm" {
		name, ok = strings.CutPrefix(name, "policy/")
		if !ok {
			return false
		}
	}
	switch r.Method {
	case http.MethodPut, http.MethodPost:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		status, resp := s.putILMPolicy(name, body)
		if kind == "_index_template" {
			status, resp = s.putTemplate(name, body)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, resp)
	case http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		if kind == "_ilm" {
			if p, ok := s.policies[name]; ok {
				_ = json.NewEncoder(w).Encode(map[string]any{name: map[string]any{"policy": p}})
				return true
			}
		} else if t, ok := s.templates[name]; ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"index_templates": []any{map[string]any{"name": name, "index_template": t.raw}}})
			return true
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, strings.Replace(errorBody("resource_not_found_exception", "["+name+"] not found"), `"status":400`, `"status":404`, 1))
	default:
		return false
	}
	return true
}

// TemplateNames lists the stored index templates.
func (s *Server) TemplateNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.templates))
	for n := range s.templates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Validator parses documents against one index template's mappings and settings, as the
// server does for a write into a fresh index or data stream matching it, without a server:
// for fuzz targets and unit tests of what produces documents.
type Validator struct {
	idx *indexState
}

// NewValidator compiles templateJSON (a PUT _index_template body).
func NewValidator(templateJSON []byte) (*Validator, error) {
	s := &Server{}
	if status, resp := s.putTemplate("t", templateJSON); status != 200 {
		return nil, fmt.Errorf("template refused: %s", resp)
	}
	t := s.templates["t"]
	if len(t.patterns) == 0 {
		return nil, fmt.Errorf("template has no index patterns")
	}
	idx, derr, _ := s.resolve(strings.ReplaceAll(t.patterns[0], "*", "x"), false)
	if derr != nil {
		return nil, derr
	}
	return &Validator{idx: idx}, nil
}

// Check returns Elasticsearch's refusal of source, or nil when it would be indexed. Dynamic
// mappings a document adds are not kept: every document is checked against the template as
// it is.
func (v *Validator) Check(source []byte) error {
	src, err := parseSource(source)
	if err != nil {
		return &docError{"document_parsing_exception", "[1:1] failed to parse: " + err.Error()}
	}
	if err := (&docParser{idx: v.idx}).parse(src); err != nil {
		return err
	}
	return nil
}
