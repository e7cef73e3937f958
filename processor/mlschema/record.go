package mlschema

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/fieldpath"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// view is the record's schema.Fields plus the container writes go to: the map that holds the
// record's event_type, so enrichment lands next to what it enriches.
type view struct {
	schema.Fields
	container pcommon.Map
}

func newView(rec plog.LogRecord) view {
	f := schema.FieldsOf(rec)
	return view{Fields: f, container: f.Attrs}
}

// locate makes the container the map that holds path (the record's event_type).
func (v *view) locate(path string) {
	if _, ok := fieldpath.Get(v.Attrs, path); ok {
		v.container = v.Attrs
		return
	}
	if v.HasBody {
		if _, ok := fieldpath.Get(v.Body, path); ok {
			v.container = v.Body
		}
	}
}

func (v *view) set(path string) pcommon.Value {
	return fieldpath.Slot(v.container, path)
}

// tag adds a tag to the container's tags list once.
func (v *view) tag(tag string) {
	slot := v.set(schema.FieldTags)
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
	val, ok := v.container.Get(schema.FieldTags)
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
