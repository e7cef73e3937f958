package mlschema

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/fieldpath"
)

// view reads a log record's fields wherever they sit: attributes (OTLP SDKs, filelog's json
// parser) first, then a map body (also what a parsed JSON string body becomes). Writes go to
// the container that holds the record's data, so enrichment lands next to what it enriches.
type view struct {
	attrs     pcommon.Map
	body      pcommon.Map
	hasBody   bool
	container pcommon.Map
}

func newView(rec plog.LogRecord) view {
	v := view{attrs: rec.Attributes(), container: rec.Attributes()}
	if rec.Body().Type() == pcommon.ValueTypeMap {
		v.body, v.hasBody = rec.Body().Map(), true
	}
	return v
}

// Get implements schema.Record.
func (v *view) Get(path string) (pcommon.Value, bool) {
	if val, ok := fieldpath.Get(v.attrs, path); ok {
		return val, true
	}
	if v.hasBody {
		return fieldpath.Get(v.body, path)
	}
	return pcommon.Value{}, false
}

// locate makes the container the map that holds path (the record's event_type).
func (v *view) locate(path string) {
	if _, ok := fieldpath.Get(v.attrs, path); ok {
		v.container = v.attrs
		return
	}
	if v.hasBody {
		if _, ok := fieldpath.Get(v.body, path); ok {
			v.container = v.body
		}
	}
}

func (v *view) set(path string) pcommon.Value {
	return fieldpath.Slot(v.container, path)
}

// str returns a string field, or "".
func (v *view) str(path string) string {
	if val, ok := v.Get(path); ok && val.Type() == pcommon.ValueTypeStr {
		return val.Str()
	}
	return ""
}

// num returns a numeric field.
func (v *view) num(path string) (float64, bool) {
	val, ok := v.Get(path)
	if !ok {
		return 0, false
	}
	switch val.Type() {
	case pcommon.ValueTypeInt:
		return float64(val.Int()), true
	case pcommon.ValueTypeDouble:
		return val.Double(), true
	}
	return 0, false
}

// tag adds a tag to the container's tags list once.
func (v *view) tag(tag string) {
	slot := v.set("tags")
	if slot.Type() != pcommon.ValueTypeSlice {
		prev := slot.AsString()
		tags := slot.SetEmptySlice()
		if prev != "" {
			tags.AppendEmpty().SetStr(prev)
		}
	}
	tags := slot.Slice()
	for i := 0; i < tags.Len(); i++ {
		if tags.At(i).AsString() == tag {
			return
		}
	}
	tags.AppendEmpty().SetStr(tag)
}

func (v *view) hasTag(tag string) bool {
	val, ok := v.container.Get("tags")
	if !ok || val.Type() != pcommon.ValueTypeSlice {
		return false
	}
	for i := 0; i < val.Slice().Len(); i++ {
		if val.Slice().At(i).AsString() == tag {
			return true
		}
	}
	return false
}
