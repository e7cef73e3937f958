// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package schema

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/fieldpath"
)

// Fields reads a log record's contract fields wherever they sit: attributes (OTLP SDKs,
// filelog's json parser) first, then a map body (what ml_schema makes of JSON string bodies).
type Fields struct {
	Attrs   pcommon.Map
	Body    pcommon.Map
	HasBody bool
}

// FieldsOf returns the field view of rec.
func FieldsOf(rec plog.LogRecord) Fields {
	f := Fields{Attrs: rec.Attributes()}
	if rec.Body().Type() == pcommon.ValueTypeMap {
		f.Body, f.HasBody = rec.Body().Map(), true
	}
	return f
}

// Get implements Record.
func (f Fields) Get(path string) (pcommon.Value, bool) {
	if v, ok := fieldpath.Get(f.Attrs, path); ok {
		return v, true
	}
	if f.HasBody {
		return fieldpath.Get(f.Body, path)
	}
	return pcommon.Value{}, false
}

// Str returns a string field, or "".
func (f Fields) Str(path string) string {
	if v, ok := f.Get(path); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// Num returns a numeric field.
func (f Fields) Num(path string) (float64, bool) {
	v, ok := f.Get(path)
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	}
	return 0, false
}

// Bool returns a boolean field.
func (f Fields) Bool(path string) (value, ok bool) {
	v, found := f.Get(path)
	if !found || v.Type() != pcommon.ValueTypeBool {
		return false, false
	}
	return v.Bool(), true
}

// TagsHold reports whether a tags value (a list of strings) holds tag.
func TagsHold(tags pcommon.Value, tag string) bool {
	if tags.Type() != pcommon.ValueTypeSlice {
		return false
	}
	s := tags.Slice()
	for i := 0; i < s.Len(); i++ {
		if s.At(i).Type() == pcommon.ValueTypeStr && s.At(i).Str() == tag {
			return true
		}
	}
	return false
}

// AddTag adds tag to the tags list in slot once; a scalar already there becomes the list's
// first element (as its text), so nothing the record said is lost.
func AddTag(slot pcommon.Value, tag string) {
	if TagsHold(slot, tag) {
		return
	}
	if slot.Type() != pcommon.ValueTypeSlice {
		prev := slot.AsString()
		tags := slot.SetEmptySlice()
		if prev != "" {
			tags.AppendEmpty().SetStr(prev)
		}
	}
	slot.Slice().AppendEmpty().SetStr(tag)
}

// Message is what a record says in words: its string body, or the message field of a map
// body (what ecs_shape leaves: the body is the Elasticsearch document), else the body as JSON.
func Message(rec plog.LogRecord) string {
	body := rec.Body()
	if body.Type() == pcommon.ValueTypeMap {
		if v, ok := body.Map().Get("message"); ok && v.Type() == pcommon.ValueTypeStr {
			return v.Str()
		}
	}
	return body.AsString()
}

// InvalidList makes slot, the record's value at FieldInvalid, the list of what was moved or
// cut, and returns it for appending. A record's own value of that name is not overwritten: it
// becomes the first entry (reason ReasonDuplicate, its text as ownText gives it).
func InvalidList(slot pcommon.Value, ownText func(pcommon.Value) string) pcommon.Slice {
	switch slot.Type() {
	case pcommon.ValueTypeSlice:
		return slot.Slice()
	case pcommon.ValueTypeEmpty:
		return slot.SetEmptySlice()
	}
	own := ownText(slot)
	list := slot.SetEmptySlice()
	e := list.AppendEmpty().SetEmptyMap()
	e.PutStr("path", FieldInvalid)
	e.PutStr("reason", ReasonDuplicate)
	e.PutStr("value", own)
	return list
}
