// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package esstandin is a strict stand-in for Elasticsearch (README.md lists each rule it
// models and each it does not), for tests and the demo:
// no JVM distribution of Elasticsearch or OpenSearch can be obtained where this project is
// built, so the real-Elasticsearch path is exercised against this server only. It answers as
// Elasticsearch 8 does for what the elasticsearch exporter uses (the product check, _bulk
// with NDJSON, gzip, require_data_stream), stores the documents for assertions, and injects
// faults: 429s, 5xx, per-item errors, slow responses, dropped connections.
package esstandin

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Doc is one stored document.
type Doc struct {
	Index  string
	ID     string // the _id the client gave, or "" when Elasticsearch would have made one
	Source map[string]any
}

// Fault is injected into the next Count bulk requests (Count < 0: until cleared).
type Fault struct {
	Count int
	// Status answers the whole request with this HTTP status (429, 503, ...).
	Status int
	// ItemStatus fails every item with this status (e.g. 429 or 400) in a 200 response.
	ItemStatus int
	// Delay holds the response back.
	Delay time.Duration
	// Drop closes the connection without answering.
	Drop bool
}

// Server is the stand-in.
type Server struct {
	srv      *http.Server
	listener net.Listener

	mu        sync.Mutex
	docs      []Doc
	byID      map[string]int // index + "\x00" + _id → position in docs
	faults    []Fault
	requests  int
	rejected  int
	conflicts int

	templates map[string]*indexTemplate
	policies  map[string]map[string]any
	indices   map[string]*indexState
	failures  []Doc // the failure store of every data stream
	refused   int   // documents the mappings refused (failure store or 400)
}

// builtinLogsTemplate stands for the "logs" template Elasticsearch 8 installs for logs-*-*
// (priority 100): data streams with dynamic mappings and, as logs@settings sets,
// index.mapping.ignore_malformed (but not for @timestamp, as logs@mappings
// says). Its ecs@mappings dynamic templates are not modelled.
const builtinLogsTemplate = `{"index_patterns":["logs-*-*"],"priority":100,"data_stream":{},
 "template":{"settings":{"index":{"mapping":{"ignore_malformed":true}}},
  "mappings":{"dynamic":"true","properties":{"@timestamp":{"type":"date","ignore_malformed":false},
   "data_stream":{"properties":{"type":{"type":"keyword"},"dataset":{"type":"keyword"},"namespace":{"type":"keyword"}}}}}}}`

// Start listens on addr (127.0.0.1:0 for any free port) and serves until Close.
func Start(addr string) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{listener: l}
	if status, resp := s.putTemplate("logs", []byte(builtinLogsTemplate)); status != 200 {
		return nil, fmt.Errorf("built-in template: %s", resp)
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Docs returns a copy of the stored documents.
func (s *Server) Docs() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Doc(nil), s.docs...)
}

// Conflicts returns how many create actions named an _id already stored in their index and
// were refused with 409 version_conflict_engine_exception, as Elasticsearch refuses them.
func (s *Server) Conflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}

// Failures returns a copy of the documents kept by data streams' failure stores: each has
// document.source (the original document as sent) and error.type / error.message.
func (s *Server) Failures() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Doc(nil), s.failures...)
}

// Refused returns how many documents the mappings refused (whether the failure store kept
// them or the client got a 400).
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Stats returns the number of bulk requests seen and of those answered with a fault.
func (s *Server) Stats() (requests, rejected int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.rejected
}

func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	if f.Count > 0 {
		s.faults[0].Count--
		if s.faults[0].Count == 0 {
			s.faults = s.faults[1:]
		}
	}
	s.rejected++
	return f, true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		_, _ = io.WriteString(w, `{"name":"esstandin","cluster_name":"otelcol-mlops-standin","version":{"number":"8.17.0","build_flavor":"default","lucene_version":"9.12.0"},"tagline":"You Know, for Search"}`)
	case r.Method == http.MethodHead && r.URL.Path == "/":
	case (r.Method == http.MethodPost || r.Method == http.MethodPut) && strings.HasSuffix(r.URL.Path, "/_bulk"):
		s.bulk(w, r)
	case s.handleTemplateAPI(w, r):
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"error":{"type":"esstandin_unsupported","reason":"%s %s is not implemented by the stand-in"},"status":404}`, r.Method, r.URL.Path)
	}
}

type bulkItem struct {
	action       string
	index        string // the target: an index or data stream name
	id           string
	requireDS    bool
	source       []byte
	status       int
	errTyp       string
	reason       string
	failureStore string // "used" or "not_enabled" for data stream writes refused by mapping
	doc          *Doc   // nil when the item failed
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.nextFault(); ok {
		if f.Delay > 0 {
			time.Sleep(f.Delay)
		}
		switch {
		case f.Drop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
		case f.Status != 0:
			w.WriteHeader(f.Status)
			_, _ = fmt.Fprintf(w, `{"error":{"type":"es_rejected_execution_exception","reason":"injected %d"},"status":%d}`, f.Status, f.Status)
			return
		case f.ItemStatus != 0:
			s.bulkBody(w, r, f.ItemStatus)
			return
		}
	}
	s.bulkBody(w, r, 0)
}

func (s *Server) bulkBody(w http.ResponseWriter, r *http.Request, failItems int) {
	body, err := readBody(r)
	if err != nil {
		http.Error(w, `{"error":{"type":"parse_exception","reason":"`+err.Error()+`"},"status":400}`, http.StatusBadRequest)
		return
	}
	defaultIndex := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/_bulk")
	requireDS := r.URL.Query().Get("require_data_stream") == "true"
	items, err := parseBulk(body, defaultIndex, requireDS)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error":{"type":"illegal_argument_exception","reason":%q},"status":400}`, err.Error())
		return
	}
	s.mu.Lock()
	for i := range items {
		if failItems != 0 {
			items[i].status, items[i].errTyp, items[i].reason = failItems, "es_rejected_execution_exception", "injected item failure"
			continue
		}
		s.indexItem(&items[i])
	}
	s.mu.Unlock()
	writeBulkResponse(w, items)
}

// indexItem applies one write as Elasticsearch does: resolve (or auto-create) the target,
// data-stream write rules, parse the source against the mappings (dynamic updates, limits),
// then store it — or, refused by the mappings, store it in the data stream's failure store
// when the template enables one.
func (s *Server) indexItem(it *bulkItem) {
	if it.index == "" {
		it.status, it.errTyp, it.reason = 400, "action_request_validation_exception", "Validation Failed: 1: index is missing;"
		return
	}
	idx, derr, status := s.resolve(it.index, it.requireDS)
	if derr != nil {
		it.status, it.errTyp, it.reason = status, derr.Type, derr.Reason
		return
	}
	if idx.dataStream && it.action != "create" {
		it.status, it.errTyp, it.reason = 400, "illegal_argument_exception", "only write ops with an op_type of create are allowed in data streams"
		return
	}
	src, err := parseSource(it.source)
	p := &docParser{idx: idx, id: it.id}
	if err != nil {
		derr = &docError{"document_parsing_exception", "[1:1] failed to parse: " + err.Error()}
	} else if perr := p.parse(src); perr != nil {
		derr = perr.(*docError)
	}
	if derr != nil {
		s.refuse(it, idx, derr)
		return
	}
	p.commit()
	var stored map[string]any
	dec := json.NewDecoder(bytes.NewReader(it.source))
	dec.UseNumber()
	_ = dec.Decode(&stored)
	if len(p.ignored) > 0 {
		stored["_ignored"] = p.ignored
	}
	it.doc = &Doc{Index: it.index, ID: it.id, Source: stored}
	s.store(it)
}

// refuse answers a document the mappings refused: 400 with Elasticsearch's error, or, for a
// data stream with the failure store enabled, 201 "failure_store":"used" and the original
// document kept in the failure store.
func (s *Server) refuse(it *bulkItem, idx *indexState, derr *docError) {
	s.refused++
	if !idx.dataStream {
		it.status, it.errTyp, it.reason = 400, derr.Type, derr.Reason
		return
	}
	if !idx.failureStore {
		it.status, it.errTyp, it.reason, it.failureStore = 400, derr.Type, derr.Reason, "not_enabled"
		return
	}
	fs := failureIndex(it.index)
	s.failures = append(s.failures, Doc{Index: fs, ID: it.id, Source: failureDoc(it.index, it.id, string(it.source), derr)})
	it.status, it.failureStore = 201, "used"
	it.doc = &Doc{Index: fs, ID: it.id}
}

// store keeps an accepted document: a create naming a stored _id is a conflict, an index
// naming one replaces it. The caller holds s.mu.
func (s *Server) store(it *bulkItem) {
	if s.byID == nil {
		s.byID = map[string]int{}
	}
	if it.doc.ID == "" {
		it.status = 201
		s.docs = append(s.docs, *it.doc)
		return
	}
	key := it.index + "\x00" + it.doc.ID
	at, exists := s.byID[key]
	switch {
	case exists && it.action == "create":
		s.conflicts++
		it.status, it.errTyp = 409, "version_conflict_engine_exception"
		it.reason = "[" + it.doc.ID + "]: version conflict, document already exists (current version [1])"
		it.doc = nil
	case exists:
		s.docs[at] = *it.doc
		it.status = 200
	default:
		it.status = 201
		s.byID[key] = len(s.docs)
		s.docs = append(s.docs, *it.doc)
	}
}

func readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		defer func() { _ = gz.Close() }()
		rd = gz
	}
	return io.ReadAll(rd)
}

// parseBulk reads NDJSON action/document pairs as Elasticsearch does: every line is one JSON
// object, the body ends with a newline, each index/create action is followed by its source.
func parseBulk(body []byte, defaultIndex string, requireDS bool) ([]bulkItem, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("request body is required")
	}
	if body[len(body)-1] != '\n' {
		return nil, fmt.Errorf("The bulk request must be terminated by a newline [\\n]") //nolint:staticcheck // Elasticsearch's own wording
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var items []bulkItem
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var action map[string]map[string]any
		if err := json.Unmarshal(line, &action); err != nil || len(action) != 1 {
			return nil, fmt.Errorf("Malformed action/metadata line [%d]: %s", len(items)+1, line) //nolint:staticcheck // Elasticsearch's own wording
		}
		for name, meta := range action {
			item := bulkItem{action: name, index: defaultIndex, requireDS: requireDS}
			if idx, ok := meta["_index"].(string); ok {
				item.index = idx
			}
			item.id, _ = meta["_id"].(string)
			if rds, _ := meta["require_data_stream"].(bool); rds {
				item.requireDS = true
			}
			if name != "create" && name != "index" {
				return nil, fmt.Errorf("action [%s] is not supported by the stand-in", name)
			}
			if !sc.Scan() {
				return nil, fmt.Errorf("Validation Failed: 1: no requests added; missing source for action %s", name) //nolint:staticcheck // Elasticsearch's own wording
			}
			item.source = append([]byte(nil), sc.Bytes()...)
			items = append(items, item)
		}
	}
	return items, sc.Err()
}

func writeBulkResponse(w http.ResponseWriter, items []bulkItem) {
	type result struct {
		Index  string         `json:"_index"`
		ID     string         `json:"_id,omitempty"`
		Status int            `json:"status"`
		Result string         `json:"result,omitempty"`
		Error  map[string]any `json:"error,omitempty"`
		// FailureStore is what Elasticsearch 8.19+/9.1+ reports for data stream writes.
		FailureStore string `json:"failure_store,omitempty"`
	}
	resp := struct {
		Took   int                 `json:"took"`
		Errors bool                `json:"errors"`
		Items  []map[string]result `json:"items"`
	}{Items: []map[string]result{}}
	for i, it := range items {
		res := result{Index: it.index, Status: it.status, FailureStore: it.failureStore}
		if it.errTyp != "" {
			resp.Errors = true
			res.Error = map[string]any{"type": it.errTyp, "reason": it.reason}
		} else {
			res.Index = it.doc.Index
			res.ID, res.Result = fmt.Sprintf("standin-%d", i), "created"
			if it.doc.ID != "" {
				res.ID = it.doc.ID
			}
			if it.status == 200 {
				res.Result = "updated"
			}
		}
		resp.Items = append(resp.Items, map[string]result{it.action: res})
	}
	_ = json.NewEncoder(w).Encode(resp)
}

// Field reads a dotted path from a stored document, through nested objects or dotted keys.
func Field(src map[string]any, path string) (any, bool) {
	if v, ok := src[path]; ok {
		return v, true
	}
	for i := strings.IndexByte(path, '.'); i >= 0; {
		if sub, ok := src[path[:i]].(map[string]any); ok {
			if v, ok := Field(sub, path[i+1:]); ok {
				return v, true
			}
		}
		next := strings.IndexByte(path[i+1:], '.')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return nil, false
}
