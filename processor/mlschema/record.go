// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/fieldpath"
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

// locate makes the container the map that holds path (the record's event_type) and returns
// its value as a string ("" when absent or not a string).
func (v *view) locate(path string) string {
	val, ok := fieldpath.Get(v.Attrs, path)
	if !ok && v.HasBody {
		if val, ok = fieldpath.Get(v.Body, path); ok {
			v.container = v.Body
		}
	}
	if !ok || val.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return val.Str()
}

func (v *view) set(path string) pcommon.Value {
	return fieldpath.Slot(v.container, path)
}

// tag adds a tag to the container's tags list once.
func (v *view) tag(tag string) { schema.AddTag(v.set(schema.FieldTags), tag) }

// hasTag looks at the container only: the tags this processor writes live there.
func (v *view) hasTag(tag string) bool {
	tags, ok := v.container.Get(schema.FieldTags)
	return ok && schema.TagsHold(tags, tag)
}
