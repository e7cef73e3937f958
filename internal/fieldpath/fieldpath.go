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
