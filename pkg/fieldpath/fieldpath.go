// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package fieldpath resolves dotted field paths (model_metadata.model_version) in pdata maps.
// Log fields arrive both nested (filelog's json parser, map bodies) and flattened (OTLP SDK
// attributes named "trace.id"), so a path matches either shape, or any mix of the two.
package fieldpath

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Get returns the value at path in m. An exact key wins over a nested reading of the same
// path; otherwise each dot is tried, left to right, as a step into a nested map.
func Get(m pcommon.Map, path string) (pcommon.Value, bool) {
	if v, ok := m.Get(path); ok {
		return v, true
	}
	for i := strings.IndexByte(path, '.'); i >= 0; {
		if sub, ok := m.Get(path[:i]); ok && sub.Type() == pcommon.ValueTypeMap {
			if v, ok := Get(sub.Map(), path[i+1:]); ok {
				return v, true
			}
		}
		next := strings.IndexByte(path[i+1:], '.')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return pcommon.Value{}, false
}

// Slot returns the value at path in m for writing. Maps that already exist along the path are
// descended into; the rest of the path becomes one (possibly dotted) key in the deepest of
// them, so writes follow the record's own shape, nested or flattened.
func Slot(m pcommon.Map, path string) pcommon.Value {
	if v, ok := m.Get(path); ok {
		return v
	}
	for i := strings.IndexByte(path, '.'); i >= 0; {
		if sub, ok := m.Get(path[:i]); ok && sub.Type() == pcommon.ValueTypeMap {
			return Slot(sub.Map(), path[i+1:])
		}
		next := strings.IndexByte(path[i+1:], '.')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return m.PutEmpty(path)
}
