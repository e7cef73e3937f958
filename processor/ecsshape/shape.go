// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/timeparse"
)

// Attributes the Elasticsearch exporter reads.
const (
	attrMappingMode = "elastic.mapping.mode"
	attrDocumentID  = "elasticsearch.document_id"
	attrDataset     = "data_stream.dataset"
	attrNamespace   = "data_stream.namespace"
	attrServiceName = "service.name"
	attrHostName    = "host.name"
	attrFilePath    = "log.file.path"
	attrFileRecord  = "log.file.record_number"
	attrFileOffset  = "log.offset" // Filebeat's byte offset of the line (beats receiver)
	attrLabelSvc    = "labels.service"
)

// reserved are the fields the exporter's ECS mode writes from the record itself; a record
// attribute of the same name would be a second, contradicting value in the document.
var reserved = map[string]bool{
	"@timestamp": true, "trace.id": true, "span.id": true, "log.level": true, "message": true,
	"event.severity": true, "data_stream.type": true,
	// The shaping routes by event type; a record's own choice is kept, not followed.
	attrDataset: true, attrNamespace: true,
}

// renamed are the bridge's dotted attributes whose parent is itself a value
// (legacy.trace_id): Elasticsearch cannot hold legacy.trace_id as a value and an object.
var renamed = map[string]string{
	legacyid.AttrFormat:        "legacy.trace_id_format",
	legacyid.AttrMappedTraceID: "legacy.trace_id_mapped",
}

type shaper struct {
	cfg        *Config
	tree       *schema.ESNode
	contract   *schema.Compiled
	legacyKeys []string
	telemetry  *telemetry
}

func newShaper(set component.TelemetrySettings, cfg *Config) (*shaper, error) {
	contract, err := schema.Compile(schema.Default())
	if err != nil {
		return nil, err
	}
	tel, err := newTelemetry(set)
	if err != nil {
		return nil, err
	}
	return &shaper{cfg: cfg, tree: schema.ElasticsearchTree(schema.Default()), contract: contract, legacyKeys: cfg.LegacyIDKeys, telemetry: tel}, nil
}

func (s *shaper) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var c counts
	st := state{path: make([]byte, 0, 128)}
	for _, rl := range ld.ResourceLogs().All() {
		resource := rl.Resource().Attributes()
		for _, sl := range rl.ScopeLogs().All() {
			// The body is the whole document: the exporter writes it as it is, without its
			// ECS encoder's per-document sort and de-duplication (measured as the largest
			// cost of the gateway; README).
			sl.Scope().Attributes().PutStr(attrMappingMode, "bodymap")
			for _, rec := range sl.LogRecords().All() {
				s.shape(rec, resource, &st, &c)
			}
		}
	}
	s.telemetry.record(ctx, &c)
	return ld, nil
}

// state is one batch's scratch space: the path being walked and the moved fields of the
// current record (reused, so a record with nothing to move allocates nothing).
type state struct {
	path    []byte
	invalid []invalidField
	stamp   []byte
	idInput []byte
}

type invalidField struct {
	path, reason, value string
}

// shape turns rec's body into its Elasticsearch document: the record's fields, its resource's
// attributes, the ECS fields, everything checked against the mappings.
func (s *shaper) shape(rec plog.LogRecord, resource pcommon.Map, st *state, c *counts) {
	c.records++
	attrs := rec.Attributes()
	st.invalid = st.invalid[:0]
	if s.cfg.DocumentID != DocumentIDNone {
		s.setDocumentID(rec, resource, attrs, st)
	}
	doc, message := s.document(rec, attrs, st)
	for k, v := range resource.All() {
		if _, exists := doc.Get(k); !exists {
			v.CopyTo(doc.PutEmpty(k))
		}
	}
	s.moveToECSHomes(rec, resource, doc, st)
	s.walk(doc, s.tree, st, 0)
	if len(st.invalid) > 0 {
		c.conflicted++
		s.writeInvalid(doc, st, c)
		tag(doc, schema.TagMappingConflict)
	}
	eventType := strAttr(doc, schema.FieldEventType)
	et, known := s.contract.EventType(eventType)
	kind := schema.KindOther
	if known {
		kind = et.Kind
	}
	dataset := schema.DatasetOf(kind)
	attrs.PutStr(attrDataset, dataset)
	attrs.PutStr(attrNamespace, s.cfg.Namespace)
	if message == "" && known && s.cfg.Summary {
		message = summary(rec, doc, eventType)
	}
	s.writeECS(rec, doc, dataset, message, st)
}

// document makes the body the document and moves the record's attributes into it (an
// attribute wins over a body field of the same name, whose value is kept as a duplicate),
// except those the exporter reads from the record: routing and the document ID.
func (s *shaper) document(rec plog.LogRecord, attrs pcommon.Map, st *state) (pcommon.Map, string) {
	body := rec.Body()
	var message string
	switch body.Type() {
	case pcommon.ValueTypeMap:
		if v, ok := body.Map().Get("message"); ok {
			if v.Type() == pcommon.ValueTypeStr {
				message = v.Str()
			} else {
				st.invalid = append(st.invalid, invalidField{path: "message", reason: reasonType, value: jsonText(v)})
			}
			body.Map().Remove("message")
		}
	case pcommon.ValueTypeStr:
		message = body.Str()
		body.SetEmptyMap()
	case pcommon.ValueTypeEmpty:
		body.SetEmptyMap()
	default:
		message = body.AsString()
		body.SetEmptyMap()
	}
	doc := body.Map()
	for k, v := range attrs.All() {
		if k == attrDocumentID {
			continue
		}
		if existing, ok := doc.Get(k); ok && !existing.Equal(v) {
			st.invalid = append(st.invalid, invalidField{path: k, reason: reasonDuplicate, value: jsonText(existing)})
		}
		v.MoveTo(doc.PutEmpty(k))
	}
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool { return k != attrDocumentID })
	return doc, message
}

// writeECS adds the fields the exporter's ECS mode would write: @timestamp, message,
// log.level, event.severity, trace.id, span.id and data_stream.*.
func (s *shaper) writeECS(rec plog.LogRecord, doc pcommon.Map, dataset, message string, st *state) {
	ts := rec.Timestamp()
	if ts == 0 {
		ts = rec.ObservedTimestamp()
	}
	if ts == 0 {
		ts = pcommon.NewTimestampFromTime(time.Now())
	}
	// Nine fraction digits always, as the exporter writes them: the strings sort as the times do.
	st.stamp = ts.AsTime().UTC().AppendFormat(st.stamp[:0], "2006-01-02T15:04:05.000000000Z07:00")
	doc.PutStr("@timestamp", string(st.stamp))
	if message != "" {
		doc.PutStr("message", message)
	}
	if level := rec.SeverityText(); level != "" {
		doc.PutStr("log.level", level)
	} else if rec.SeverityNumber() != plog.SeverityNumberUnspecified {
		doc.PutStr("log.level", rec.SeverityNumber().String())
	}
	if n := rec.SeverityNumber(); n != plog.SeverityNumberUnspecified {
		doc.PutInt("event.severity", int64(n))
	}
	if tid := rec.TraceID(); !tid.IsEmpty() {
		var b [32]byte
		hex.Encode(b[:], tid[:])
		doc.PutStr("trace.id", string(b[:]))
	}
	if sid := rec.SpanID(); !sid.IsEmpty() {
		var b [16]byte
		hex.Encode(b[:], sid[:])
		doc.PutStr("span.id", string(b[:]))
	}
	doc.PutStr("data_stream.type", "logs")
	doc.PutStr(attrDataset, dataset)
	doc.PutStr(attrNamespace, s.cfg.Namespace)
}

// moveToECSHomes takes the ML log schema's own names out once their value has its ECS home: the
// timestamp in the record (ml_schema parsed it), the level in its severity, the service in
// service.name, the legacy ID in legacy.trace_id.
func (s *shaper) moveToECSHomes(rec plog.LogRecord, resource pcommon.Map, attrs pcommon.Map, st *state) {
	for _, k := range [...]string{schema.FieldTimestamp, "@timestamp"} {
		if v, ok := attrs.Get(k); ok {
			// The value ml_schema read is the record's timestamp (@timestamp) now; any other
			// value is kept.
			if t, _, err := timeparse.ValueIn(v, time.UTC); err != nil || rec.Timestamp() == 0 || pcommon.NewTimestampFromTime(t) != rec.Timestamp() {
				st.invalid = append(st.invalid, invalidField{path: k, reason: reasonUnparsed, value: jsonText(v)})
			}
			attrs.Remove(k)
		}
	}
	if v, ok := attrs.Get(schema.FieldLogLevel); ok && v.Type() == pcommon.ValueTypeStr {
		if rec.SeverityText() == "" {
			rec.SetSeverityText(v.Str())
		}
		attrs.Remove(schema.FieldLogLevel)
	}
	// The other level fields ml_schema reads, when they say what log.level says.
	for _, k := range [...]string{"level", "levelname", "severity"} {
		if v, ok := attrs.Get(k); ok && v.Type() == pcommon.ValueTypeStr && v.Str() == rec.SeverityText() {
			attrs.Remove(k)
		}
	}
	s.moveService(resource, attrs)
	if legacy := strAttr(attrs, legacyid.AttrTraceID); legacy != "" {
		for _, k := range s.legacyKeys {
			if v, ok := attrs.Get(k); ok && v.Type() == pcommon.ValueTypeStr && v.Str() == legacy {
				attrs.Remove(k)
			}
		}
	}
	for from, to := range renamed {
		if v, ok := attrs.Get(from); ok {
			v.MoveTo(attrs.PutEmpty(to))
			attrs.Remove(from)
		}
	}
}

// moveService: the service a line names is its service.name where the resource has none;
// where the resource names another, the line's name stays searchable as labels.service.
func (s *shaper) moveService(resource, doc pcommon.Map) {
	res := strAttr(resource, attrServiceName)
	for _, k := range [...]string{schema.FieldService, attrServiceName} {
		v, ok := doc.Get(k)
		if !ok || v.Type() != pcommon.ValueTypeStr {
			continue
		}
		name := v.Str()
		if k == schema.FieldService {
			doc.Remove(k)
		}
		switch {
		case res == "":
			doc.PutStr(attrServiceName, name)
		case res != name:
			doc.PutStr(attrLabelSvc, name)
			doc.PutStr(attrServiceName, res)
		}
	}
}

// walk checks every value of m against the mapping below node and moves out what
// Elasticsearch would refuse; depth bounds the recursion on hostile nesting.
func (s *shaper) walk(m pcommon.Map, node *schema.ESNode, st *state, depth int) {
	m.RemoveIf(func(k string, v pcommon.Value) bool {
		mark := len(st.path)
		if mark > 0 {
			st.path = append(st.path, '.')
		}
		st.path = append(st.path, k...)
		defer func() { st.path = st.path[:mark] }()
		if !validFieldName(k) {
			s.relocate(st, v, reasonFieldName)
			return true
		}
		child, conflict := resolve(node, k)
		if conflict {
			s.relocate(st, v, reasonType)
			return true
		}
		if child == nil {
			// Not mapped: kept in _source, not indexed (dynamic: false) — if it is JSON at all.
			if hasNonFinite(v, depth) {
				s.relocate(st, v, reasonType)
				return true
			}
			return false
		}
		if reserved[string(st.path)] {
			s.relocate(st, v, reasonReserved)
			return true
		}
		if !s.fits(child, v, st, depth) {
			s.relocate(st, v, reasonType)
			return true
		}
		return false
	})
}

// validFieldName: Elasticsearch refuses an empty field name, and one with an empty or blank
// part between dots.
func validFieldName(k string) bool {
	for {
		part, rest, more := strings.Cut(k, ".")
		if strings.TrimSpace(part) == "" {
			return false
		}
		if !more {
			return true
		}
		k = rest
	}
}

// resolve finds the node of a (possibly dotted) key below node; conflict is a key that
// goes through a concrete field (service.name.x when service.name is a keyword).
func resolve(node *schema.ESNode, key string) (*schema.ESNode, bool) {
	for {
		head, rest, more := strings.Cut(key, ".")
		child := node.Children[head]
		if child == nil || !more {
			return child, false
		}
		if child.Type != "object" {
			return nil, true
		}
		if child.Disabled {
			return nil, false
		}
		node, key = child, rest
	}
}

func (s *shaper) relocate(st *state, v pcommon.Value, reason string) {
	st.invalid = append(st.invalid, invalidField{path: string(st.path), reason: reason, value: jsonText(v)})
}

// fits reports whether Elasticsearch accepts v for the field node. A keyword value over
// ignore_above fits: Elasticsearch keeps it whole in _source, unindexed.
func (s *shaper) fits(node *schema.ESNode, v pcommon.Value, st *state, depth int) bool {
	if node.Disabled || v.Type() == pcommon.ValueTypeEmpty {
		return true
	}
	if node.Type == "object" {
		switch v.Type() {
		case pcommon.ValueTypeMap:
			if depth < 32 {
				s.walk(v.Map(), node, st, depth+1)
			}
			return true
		case pcommon.ValueTypeSlice:
			for _, el := range v.Slice().All() {
				if el.Type() != pcommon.ValueTypeMap && el.Type() != pcommon.ValueTypeEmpty {
					return false
				}
			}
			for _, el := range v.Slice().All() {
				if el.Type() == pcommon.ValueTypeMap && depth < 32 {
					s.walk(el.Map(), node, st, depth+1)
				}
			}
			return true
		}
		return false
	}
	if v.Type() == pcommon.ValueTypeSlice {
		for _, el := range v.Slice().All() {
			if el.Type() == pcommon.ValueTypeSlice || !s.scalarFits(node.Type, el, st) {
				return false
			}
		}
		return true
	}
	return s.scalarFits(node.Type, v, st)
}

func (s *shaper) scalarFits(typ string, v pcommon.Value, st *state) bool {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return true
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		return false
	}
	switch typ {
	case "keyword", "match_only_text":
		return v.Type() != pcommon.ValueTypeDouble || finite(v.Double())
	case "long":
		return fitsNumber(v, true)
	case "double":
		return fitsNumber(v, false)
	case "boolean":
		switch v.Type() {
		case pcommon.ValueTypeBool:
			return true
		case pcommon.ValueTypeStr:
			return v.Str() == "true" || v.Str() == "false" || v.Str() == ""
		}
		return false
	case "date":
		switch v.Type() {
		case pcommon.ValueTypeInt:
			return true
		case pcommon.ValueTypeDouble:
			return finite(v.Double())
		case pcommon.ValueTypeStr:
			return isEpochMillis(v.Str()) || isISODate(v.Str())
		}
		return false
	}
	return true
}

// fitsNumber: what Elasticsearch's number fields coerce (numeric strings, fractions into
// integer types, "" as null), finite and in range.
func fitsNumber(v pcommon.Value, integer bool) bool {
	var f float64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return true
	case pcommon.ValueTypeDouble:
		f = v.Double()
	case pcommon.ValueTypeStr:
		if v.Str() == "" {
			return true
		}
		parsed, err := strconv.ParseFloat(v.Str(), 64)
		if err != nil {
			return false
		}
		f = parsed
	default:
		return false
	}
	if !finite(f) {
		return false
	}
	return !integer || (f > math.MinInt64 && f < math.MaxInt64)
}

// hasNonFinite finds NaN and infinities, which JSON cannot carry (the document would not
// parse); depth bounds the search.
func hasNonFinite(v pcommon.Value, depth int) bool {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return !finite(v.Double())
	case pcommon.ValueTypeMap:
		if depth < 32 {
			for _, sub := range v.Map().All() {
				if hasNonFinite(sub, depth+1) {
					return true
				}
			}
		}
	case pcommon.ValueTypeSlice:
		if depth < 32 {
			for _, sub := range v.Slice().All() {
				if hasNonFinite(sub, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func isEpochMillis(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isISODate accepts the shape strict_date_optional_time always parses: a four-digit year,
// month and day, optionally T and a time with a zone (RFC 3339).
func isISODate(s string) bool {
	if len(s) == 10 {
		s += "T00:00:00Z"
	}
	if len(s) < 20 || s[4] != '-' || s[10] != 'T' {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// jsonText is the value as JSON: what ml.schema.invalid keeps of a moved field.
func jsonText(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		b, _ := json.Marshal(v.Str())
		return string(b)
	case pcommon.ValueTypeDouble:
		if !finite(v.Double()) {
			b, _ := json.Marshal(strconv.FormatFloat(v.Double(), 'g', -1, 64))
			return string(b)
		}
	}
	return v.AsString()
}

func (s *shaper) writeInvalid(attrs pcommon.Map, st *state, c *counts) {
	slot, ok := attrs.Get(schema.FieldInvalid)
	if !ok {
		slot = attrs.PutEmpty(schema.FieldInvalid)
	}
	list := schema.InvalidList(slot, jsonText)
	for _, f := range st.invalid {
		e := list.AppendEmpty().SetEmptyMap()
		e.PutStr("path", f.path)
		e.PutStr("reason", f.reason)
		e.PutStr("value", f.value)
		for i, r := range reasons {
			if r == f.reason {
				c.fields[i]++
			}
		}
	}
}

func strAttr(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

func hasTag(attrs pcommon.Map, tag string) bool {
	v, ok := attrs.Get(schema.FieldTags)
	return ok && schema.TagsHold(v, tag)
}

func tag(doc pcommon.Map, t string) {
	slot, ok := doc.Get(schema.FieldTags)
	if !ok {
		slot = doc.PutEmpty(schema.FieldTags)
	}
	schema.AddTag(slot, t)
}

// setDocumentID: a line read from a file is identified by where it was read — its record
// number (filelog) or byte offset (Filebeat) in its file, on its host (a re-read line
// gets the same _id, and Elasticsearch refuses its second create with 409); other records by
// their content, so a batch a sender retries is indexed once.
func (s *shaper) setDocumentID(rec plog.LogRecord, resource, attrs pcommon.Map, st *state) {
	if _, ok := attrs.Get(attrDocumentID); ok {
		return
	}
	in := st.idInput[:0]
	n, fromFile := attrs.Get(attrFileRecord)
	if !fromFile {
		n, fromFile = attrs.Get(attrFileOffset)
	}
	switch {
	case fromFile:
		in = appendStr(in, strAttr(resource, attrHostName))
		in = appendStr(in, strAttr(resource, attrServiceName))
		in = appendStr(in, strAttr(attrs, attrFilePath))
		in = appendValue(in, n)
	case s.cfg.DocumentID == DocumentIDAll:
		in = appendStr(in, strAttr(resource, attrServiceName))
		in = binary.LittleEndian.AppendUint64(in, uint64(rec.Timestamp()))
		in = binary.LittleEndian.AppendUint64(in, uint64(rec.ObservedTimestamp()))
		tid, sid := rec.TraceID(), rec.SpanID()
		in = append(in, tid[:]...)
		in = append(in, sid[:]...)
		in = appendValue(in, rec.Body())
		for k, v := range attrs.All() {
			in = appendStr(in, k)
			in = appendValue(in, v)
		}
	default:
		return
	}
	st.idInput = in
	// 128 bits from two seeds of one fast hash: the record's content is walked once.
	var d xxhash.Digest
	var sum [16]byte
	for pass := uint64(0); pass < 2; pass++ {
		d.ResetWithSeed(pass)
		_, _ = d.Write(in)
		binary.BigEndian.PutUint64(sum[pass*8:], d.Sum64())
	}
	var out [32]byte
	hex.Encode(out[:], sum[:])
	attrs.PutStr(attrDocumentID, string(out[:]))
}

// appendStr and appendValue write a value unambiguously: each string ends in a 0 byte, each
// value but an empty one starts with its type. Changing what they write changes every ID, and
// a record resent across an upgrade would then be indexed twice.
func appendStr(b []byte, s string) []byte {
	return append(append(b, s...), 0)
}

func appendValue(b []byte, v pcommon.Value) []byte {
	if v.Type() == pcommon.ValueTypeEmpty {
		return b
	}
	b = append(b, byte(v.Type()))
	switch v.Type() {
	case pcommon.ValueTypeStr:
		b = appendStr(b, v.Str())
	case pcommon.ValueTypeInt:
		b = binary.LittleEndian.AppendUint64(b, uint64(v.Int()))
	case pcommon.ValueTypeDouble:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Double()))
	case pcommon.ValueTypeBool:
		if v.Bool() {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	case pcommon.ValueTypeBytes:
		b = append(b, v.Bytes().AsRaw()...)
	case pcommon.ValueTypeMap:
		for k, sub := range v.Map().All() {
			b = appendStr(b, k)
			b = appendValue(b, sub)
		}
	case pcommon.ValueTypeSlice:
		for _, sub := range v.Slice().All() {
			b = appendValue(b, sub)
		}
	}
	return b
}

// summary is the message of an ML record that has none: what Discover's message column
// shows, e.g. "inference_request recsys v2.3 latency_ms=84 ok".
func summary(rec plog.LogRecord, attrs pcommon.Map, eventType string) string {
	f := schema.Fields{Attrs: attrs}
	var b strings.Builder
	b.Grow(96)
	b.WriteString(eventType)
	model := f.Str(schema.FieldModelName)
	if model == "" {
		model = f.Str(schema.FieldTrainModel)
	}
	for _, part := range [...]string{model, f.Str(schema.FieldModelVersion)} {
		if part != "" {
			b.WriteByte(' ')
			b.WriteString(part)
		}
	}
	if lat, ok := f.Num(schema.FieldLatencyMS); ok {
		b.WriteString(" latency_ms=")
		b.WriteString(strconv.FormatFloat(lat, 'f', -1, 64))
	}
	switch {
	case hasTag(attrs, schema.TagInvalidSchema):
		b.WriteString(" invalid")
	case rec.SeverityNumber() >= plog.SeverityNumberError:
		b.WriteString(" error")
	default:
		b.WriteString(" ok")
	}
	return b.String()
}
