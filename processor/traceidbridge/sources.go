// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"regexp"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsonfind"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/fieldpath"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

type sourceKind uint8

const (
	kindAttribute sourceKind = iota
	kindResourceAttribute
	kindBody
	kindJSONBody
	kindTextBody
)

type source struct {
	kind    sourceKind
	key     string
	pattern *regexp.Regexp
	// jsonIndex is this source's position among the json_body sources.
	jsonIndex int
}

// sources is the compiled, ordered list of places to look.
type sources struct {
	list      []source
	jsonPaths []string
	mapper    *legacyid.Mapper
}

func compileSources(cfgs []SourceConfig, mapper *legacyid.Mapper) sources {
	s := sources{mapper: mapper}
	for _, c := range cfgs {
		src := source{key: c.Key, jsonIndex: -1}
		switch c.From {
		case FromAttribute:
			src.kind = kindAttribute
		case FromResourceAttribute:
			src.kind = kindResourceAttribute
		case FromBody:
			src.kind = kindBody
		case FromJSONBody:
			src.kind = kindJSONBody
			src.jsonIndex = len(s.jsonPaths)
			s.jsonPaths = append(s.jsonPaths, c.Key)
		case FromTextBody:
			src.kind = kindTextBody
		}
		if c.Pattern != "" {
			src.pattern = regexp.MustCompile(c.Pattern) // Validate compiled it already
		}
		s.list = append(s.list, src)
	}
	return s
}

// found is the legacy ID a record carries.
type found struct {
	// key is the attribute key or field path the ID was found under.
	key    string
	raw    string
	result legacyid.Result
	ok     bool
	// unparseable counts sources that held a value from which no ID could be read.
	unparseable int
}

// record is what a source can look at; body is the zero Value for spans and data points.
type record struct {
	resource pcommon.Map
	attrs    pcommon.Map
	body     pcommon.Value
	hasBody  bool
}

// find tries the sources in order and returns the first ID.
func (s *sources) find(r record) found {
	var f found
	scan := jsonScan{best: -2}
	for i := range s.list {
		src := &s.list[i]
		raw, presence := s.lookup(src, r, &scan)
		switch presence {
		case absent:
			continue
		case unusable:
			f.unparseable++
			continue
		}
		if src.pattern != nil {
			m := src.pattern.FindStringSubmatch(raw)
			if m == nil {
				f.unparseable++
				continue
			}
			raw = m[1]
		}
		if res, ok := s.mapper.Map(raw); ok {
			f.key, f.raw, f.result, f.ok = src.key, raw, res, true
			return f
		}
	}
	return f
}

type presence uint8

const (
	absent   presence = iota
	unusable          // present, but of a type that cannot hold an ID (map, bool, bytes, ...)
	usable
)

// lookup returns the source's value as a string.
func (s *sources) lookup(src *source, r record, scan *jsonScan) (string, presence) {
	switch src.kind {
	case kindAttribute:
		if v, ok := r.attrs.Get(src.key); ok {
			return idText(v)
		}
	case kindResourceAttribute:
		if v, ok := r.resource.Get(src.key); ok {
			return idText(v)
		}
	case kindBody:
		if r.hasBody && r.body.Type() == pcommon.ValueTypeMap {
			if v, ok := fieldpath.Get(r.body.Map(), src.key); ok {
				return idText(v)
			}
		}
	case kindJSONBody:
		if r.hasBody && r.body.Type() == pcommon.ValueTypeStr {
			return scan.lookup(r.body.Str(), s.jsonPaths, src.jsonIndex)
		}
	case kindTextBody:
		if r.hasBody && r.body.Type() == pcommon.ValueTypeStr {
			return r.body.Str(), usable
		}
	}
	return "", absent
}

// jsonScan caches one pass over a JSON body: the best match among jsonPaths[from:].
type jsonScan struct {
	from  int
	best  int // -2: not scanned; -1: nothing found or not JSON
	value jsonfind.Value
}

func (j *jsonScan) lookup(body string, paths []string, index int) (string, presence) {
	if j.best == -2 || (j.best >= 0 && j.best < index) {
		j.rescan(body, paths, index)
	}
	if j.best != index {
		return "", absent
	}
	switch j.value.Kind {
	case jsonfind.KindString, jsonfind.KindNumber:
		return j.value.Text(), usable
	case jsonfind.KindNull:
		return "", absent
	}
	return "", unusable
}

func (j *jsonScan) rescan(body string, paths []string, from int) {
	j.from, j.best = from, -1
	idx, v, err := jsonfind.Find(body, paths[from:])
	if err != nil || idx < 0 {
		return
	}
	j.best, j.value = idx+from, v
}

// idText reads an ID out of an attribute or field value: strings, integers, and the first
// string of a slice (semconv puts HTTP headers in string arrays).
func idText(v pcommon.Value) (string, presence) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str(), usable
	case pcommon.ValueTypeInt:
		return strconv.FormatInt(v.Int(), 10), usable
	case pcommon.ValueTypeEmpty:
		return "", absent
	case pcommon.ValueTypeSlice:
		if v.Slice().Len() > 0 && v.Slice().At(0).Type() == pcommon.ValueTypeStr {
			return v.Slice().At(0).Str(), usable
		}
	}
	return "", unusable
}
