// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/redact"
	"github.com/otelcol-mlops/otelcol-mlops/internal/utf8prefix"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// hasher computes keyed HMAC-SHA256 digests; HMAC states are pooled because each carries
// the key's pads and costs two allocations to build.
type hasher struct{ pool sync.Pool }

func newHasher(key string) *hasher {
	k := []byte(key)
	return &hasher{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}
}

func (h *hasher) sum(value string, out *[sha256.Size]byte) {
	mac := h.pool.Get().(hash.Hash)
	mac.Reset()
	_, _ = mac.Write([]byte(value))
	mac.Sum(out[:0])
	h.pool.Put(mac)
}

// hashIdentifiers replaces each configured identifier field by its keyed hash and, when
// configured, adds a low-cardinality cohort bucket next to it.
func (p *mlSchemaProcessor) hashIdentifiers(v *view) {
	for _, field := range p.cfg.Guard.HashFields {
		val, ok := v.Get(field)
		if !ok || val.Type() == pcommon.ValueTypeEmpty || val.Type() == pcommon.ValueTypeMap || val.Type() == pcommon.ValueTypeSlice {
			continue
		}
		var sum [sha256.Size]byte
		p.hasher.sum(val.AsString(), &sum)
		val.SetStr("hmac-sha256:" + hex.EncodeToString(sum[:16]))
		if p.cfg.Guard.CohortBuckets > 0 {
			bucket := binary.BigEndian.Uint64(sum[16:24]) % uint64(p.cfg.Guard.CohortBuckets)
			v.set(field + "_cohort").SetInt(int64(bucket)) //nolint:gosec // bucket < CohortBuckets, an int
		}
	}
}

// sizeGuard walks a record's data: arrays longer than the limit become a summary, strings
// longer than the limit are cut, nesting deeper than the limit becomes JSON text. It keeps
// the path it is at (map keys; array elements share their array's path, as Elasticsearch
// flattens arrays) so that each cut can name its field.
type sizeGuard struct {
	g       *GuardConfig
	path    []string
	changed bool
	cuts    []sizeCut
}

// sizeCut is one string the guard shortened: where, and how long it was (bytes, the unit of
// max_string_length).
type sizeCut struct {
	path   string
	length int
}

func (w *sizeGuard) guardMap(m pcommon.Map, depth int) {
	for k, val := range m.All() {
		w.path = append(w.path, k)
		w.guardValue(val, depth)
		w.path = w.path[:len(w.path)-1]
	}
}

func (w *sizeGuard) guardValue(val pcommon.Value, depth int) {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		w.cut(val, val.Str())
	case pcommon.ValueTypeMap:
		if depth >= w.g.MaxDepth {
			w.changed = true
			w.setText(val, val.AsString())
			return
		}
		w.guardMap(val.Map(), depth+1)
	case pcommon.ValueTypeSlice:
		s := val.Slice()
		if s.Len() > w.g.MaxArrayLength {
			summarizeArray(val)
			w.changed = true
			return
		}
		if depth >= w.g.MaxDepth {
			w.changed = true
			w.setText(val, val.AsString())
			return
		}
		for i := 0; i < s.Len(); i++ {
			w.guardValue(s.At(i), depth+1)
		}
	}
}

// setText replaces a value too deep to keep as structure by its JSON text, cut if needed.
func (w *sizeGuard) setText(val pcommon.Value, text string) {
	if !w.cut(val, text) {
		val.SetStr(text)
	}
}

// cut shortens s into val when it is over the limit, and records the cut.
func (w *sizeGuard) cut(val pcommon.Value, s string) bool {
	if len(s) <= w.g.MaxStringLength {
		return false
	}
	w.cuts = append(w.cuts, sizeCut{path: strings.Join(w.path, "."), length: len(s)})
	val.SetStr(utf8prefix.Cut(s, w.g.MaxStringLength))
	w.changed = true
	return true
}

// recordCuts lists each cut in ml.schema.invalid (the place ecs_shape lists what it moved
// out of Elasticsearch's way): the field's path, reason too_long and its original length.
func recordCuts(v *view, cuts []sizeCut) {
	list := schema.InvalidList(v.set(schema.FieldInvalid), func(own pcommon.Value) string { return own.AsString() })
	for _, c := range cuts {
		e := list.AppendEmpty().SetEmptyMap()
		e.PutStr("path", c.path)
		e.PutStr("reason", schema.ReasonTooLong)
		e.PutInt("original_length", int64(c.length))
	}
}

// summarizeArray replaces a long array (a feature vector) by {hash, dimension, l2_norm}: enough
// to correlate records and spot a changed input, without indexing 10,000 dimensions. The hash
// is SHA-256 over the elements' text joined by commas; l2_norm only counts numeric elements.
func summarizeArray(val pcommon.Value) {
	s := val.Slice()
	h := sha256.New()
	var sq float64
	numeric := true
	for i := 0; i < s.Len(); i++ {
		e := s.At(i)
		if i > 0 {
			_, _ = h.Write([]byte{','})
		}
		_, _ = h.Write([]byte(e.AsString()))
		switch e.Type() {
		case pcommon.ValueTypeDouble:
			sq += e.Double() * e.Double()
		case pcommon.ValueTypeInt:
			f := float64(e.Int())
			sq += f * f
		default:
			numeric = false
		}
	}
	dim := s.Len()
	sum := h.Sum(nil)
	m := val.SetEmptyMap()
	m.PutStr("hash", "sha256:"+hex.EncodeToString(sum))
	m.PutInt("dimension", int64(dim))
	if numeric && !math.IsInf(sq, 0) && !math.IsNaN(sq) {
		m.PutDouble("l2_norm", math.Sqrt(sq))
	}
}

// defaultMaxDepth is guard.max_depth's default, and how deep the size guard's path buffer
// goes before it grows.
const defaultMaxDepth = 16

// guard runs the cardinality and size guards on a record, tags it when it cut anything and
// lists each cut string with its original length. path is an empty slice to build the
// current value's path in.
func (p *mlSchemaProcessor) guard(v *view, c *counts, path []string) {
	if len(p.cfg.Guard.HashFields) > 0 {
		p.hashIdentifiers(v)
	}
	w := sizeGuard{g: &p.cfg.Guard, path: path}
	w.guardMap(v.Attrs, 1)
	if v.HasBody {
		w.guardMap(v.Body, 1)
	}
	if w.changed {
		c.tagRecord(v, schema.TagTruncated)
	}
	if len(w.cuts) > 0 {
		recordCuts(v, w.cuts)
	}
}

// AttrRedacted counts the values masked in a record, as contrib's redaction processor names it.
const AttrRedacted = "redaction.masked.count"

// redactRecord masks secrets in the whole record: every value under a secret key name
// (attributes, a map body's fields at any depth, maps inside arrays, a JSON object left as
// text), and every match of the rules in the strings that remain, a text body included.
func (p *mlSchemaProcessor) redactRecord(rec plog.LogRecord, v *view, c *counts) {
	n := p.redactMap(v.Attrs)
	switch body := rec.Body(); body.Type() {
	case pcommon.ValueTypeMap:
		n += p.redactMap(body.Map())
	case pcommon.ValueTypeStr:
		n += p.redactText(body)
	case pcommon.ValueTypeSlice:
		n += p.redactValue(body)
	}
	if n > 0 {
		v.set(AttrRedacted).SetInt(int64(n))
		c.redacted += int64(n)
	}
}

// redactText masks a string body: as JSON when it is one object (a line left unparsed, with
// normalize.parse_json_body off, keeps its text and loses only its secrets, found by name
// and by rule as in a parsed record), else as text.
func (p *mlSchemaProcessor) redactText(body pcommon.Value) int {
	out, n, isJSON := p.redactor.JSON(body.Str())
	if !isJSON {
		out, n = p.redactor.String(body.Str())
	}
	if n > 0 {
		body.SetStr(out)
	}
	return n
}

func (p *mlSchemaProcessor) redactMap(m pcommon.Map) int {
	n := 0
	for k, val := range m.All() {
		if p.redactor.HasKeys() && p.redactor.SecretKey(k) {
			n += maskWhole(val)
			continue
		}
		n += p.redactValue(val)
	}
	return n
}

// maskWhole replaces a secret field's value, whatever its type (a map of credentials, a
// numeric PIN), by the mask; an empty value has nothing to hide.
func maskWhole(val pcommon.Value) int {
	switch val.Type() {
	case pcommon.ValueTypeEmpty:
		return 0
	case pcommon.ValueTypeStr:
		if val.Str() == "" || val.Str() == redact.Mask {
			return 0
		}
	}
	val.SetStr(redact.Mask)
	return 1
}

func (p *mlSchemaProcessor) redactValue(val pcommon.Value) int {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		out, n := p.redactor.String(val.Str())
		if n > 0 {
			val.SetStr(out)
		}
		return n
	case pcommon.ValueTypeMap:
		return p.redactMap(val.Map())
	case pcommon.ValueTypeSlice:
		n := 0
		for _, el := range val.Slice().All() {
			n += p.redactValue(el)
		}
		return n
	}
	return 0
}
