// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package schema

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/timeparse"
)

// Record gives validation access to a record's fields by dotted path.
type Record interface {
	Get(path string) (pcommon.Value, bool)
}

// Violation is one way a record breaks the contract.
type Violation struct {
	Field  string
	Reason string
}

func (v Violation) String() string { return v.Field + ": " + v.Reason }

type compiledField struct {
	Field
	since, until       version
	hasSince, hasUntil bool
}

func (f *compiledField) appliesTo(v version) bool {
	return (!f.hasSince || !v.less(f.since)) && (!f.hasUntil || !f.until.less(v))
}

// CompiledType is an event type ready to validate against.
type CompiledType struct {
	Name       string
	Kind       Kind
	skipCommon bool
	fields     []compiledField
}

// Compiled is a schema ready to validate against; it is immutable and safe for concurrent use.
type Compiled struct {
	version  version
	versionS string
	common   []compiledField
	byValue  map[string]*CompiledType
}

// Compile validates and prepares a schema.
func Compile(s Schema) (*Compiled, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	v, _ := parseVersion(s.Version)
	c := &Compiled{version: v, versionS: s.Version, common: compileFields(s.Common), byValue: map[string]*CompiledType{}}
	for _, et := range s.EventTypes {
		ct := &CompiledType{Name: et.Name, Kind: et.Kind, skipCommon: et.SkipCommon, fields: compileFields(et.Fields)}
		for _, val := range et.Values {
			c.byValue[val] = ct
		}
	}
	return c, nil
}

func compileFields(fields []Field) []compiledField {
	out := make([]compiledField, len(fields))
	for i, f := range fields {
		out[i].Field = f
		if f.Since != "" {
			out[i].since, _ = parseVersion(f.Since)
			out[i].hasSince = true
		}
		if f.Until != "" {
			out[i].until, _ = parseVersion(f.Until)
			out[i].hasUntil = true
		}
	}
	return out
}

// EventType returns the event type that claims an event_type value.
func (c *Compiled) EventType(value string) (*CompiledType, bool) {
	ct, ok := c.byValue[value]
	return ct, ok
}

// Validate appends to dst every violation of rec against et (common fields included unless
// the type skips them). Numeric strings in number fields are converted in place ("87" → 87),
// as the contract's types say they must be numbers.
func (c *Compiled) Validate(rec Record, et *CompiledType, dst []Violation) []Violation {
	v := c.version
	if raw, ok := rec.Get(FieldSchemaVersion); ok {
		parsed, err := parseVersion(raw.AsString())
		if err != nil {
			dst = append(dst, Violation{FieldSchemaVersion, fmt.Sprintf("%q is not a version like %s", raw.AsString(), c.versionS)})
		} else {
			v = parsed
		}
	}
	if !et.skipCommon {
		dst = checkFields(rec, c.common, v, dst)
	}
	return checkFields(rec, et.fields, v, dst)
}

func checkFields(rec Record, fields []compiledField, v version, dst []Violation) []Violation {
	for i := range fields {
		f := &fields[i]
		if !f.appliesTo(v) {
			continue
		}
		val, ok := rec.Get(f.Path)
		if !ok || val.Type() == pcommon.ValueTypeEmpty {
			if f.Required {
				dst = append(dst, Violation{f.Path, "required field is missing"})
			}
			continue
		}
		if reason := checkValue(&f.Field, val); reason != "" {
			dst = append(dst, Violation{f.Path, reason})
		}
	}
	return dst
}

// checkValue returns why val does not fit f, or "".
func checkValue(f *Field, val pcommon.Value) string {
	switch f.Type {
	case TypeAny:
		return ""
	case TypeString:
		if val.Type() != pcommon.ValueTypeStr {
			return "expected string, got " + typeName(val)
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, val.Str()) {
			return fmt.Sprintf("%q is not one of %v", val.Str(), f.Enum)
		}
	case TypeInt, TypeFloat:
		n, reason := number(val, f.Type == TypeInt)
		if reason != "" {
			return reason
		}
		return checkRange(f, n)
	case TypeBool:
		if val.Type() != pcommon.ValueTypeBool {
			return "expected bool, got " + typeName(val)
		}
	case TypeTimestamp:
		if _, _, err := timeparse.Value(val); err != nil {
			return err.Error()
		}
	case TypeObject:
		if val.Type() != pcommon.ValueTypeMap {
			return "expected object, got " + typeName(val)
		}
	case TypeArray:
		if val.Type() != pcommon.ValueTypeSlice {
			return "expected array, got " + typeName(val)
		}
	case TypeFloatArray:
		if val.Type() != pcommon.ValueTypeSlice {
			return "expected array of numbers, got " + typeName(val)
		}
		s := val.Slice()
		for i := 0; i < s.Len(); i++ {
			n, reason := number(s.At(i), false)
			if reason == "" {
				reason = checkRange(f, n)
			}
			if reason != "" {
				return fmt.Sprintf("element %d: %s", i, reason)
			}
		}
	}
	return ""
}

// number reads a numeric value, converting numeric strings in place.
func number(val pcommon.Value, wantInt bool) (float64, string) {
	switch val.Type() {
	case pcommon.ValueTypeInt:
		return float64(val.Int()), ""
	case pcommon.ValueTypeDouble:
		d := val.Double()
		if math.IsNaN(d) {
			return 0, "NaN is not a number"
		}
		if wantInt && (d != math.Trunc(d) || math.IsInf(d, 0)) {
			return 0, fmt.Sprintf("expected int, got %v", d)
		}
		// A whole number outside int64 stays what it was: converting would clamp it.
		if wantInt && (d < math.MinInt64 || d >= math.MaxInt64) {
			return 0, fmt.Sprintf("%v is out of the int range", d)
		}
		if wantInt {
			val.SetInt(int64(d))
		}
		return d, ""
	case pcommon.ValueTypeStr:
		s := val.Str()
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			val.SetInt(i)
			return float64(i), ""
		}
		if d, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(d) && !math.IsInf(d, 0) {
			if wantInt {
				return 0, fmt.Sprintf("expected int, got %q", s)
			}
			val.SetDouble(d)
			return d, ""
		}
		return 0, fmt.Sprintf("expected number, got %q", truncate(s, 64))
	}
	return 0, "expected number, got " + typeName(val)
}

func checkRange(f *Field, n float64) string {
	if f.Min != nil && n < *f.Min {
		return fmt.Sprintf("%v is below the minimum %v", n, *f.Min)
	}
	if f.Max != nil && n > *f.Max {
		return fmt.Sprintf("%v is above the maximum %v", n, *f.Max)
	}
	return ""
}

func typeName(val pcommon.Value) string {
	switch val.Type() {
	case pcommon.ValueTypeStr:
		return "string"
	case pcommon.ValueTypeInt:
		return "int"
	case pcommon.ValueTypeDouble:
		return "float"
	case pcommon.ValueTypeBool:
		return "bool"
	case pcommon.ValueTypeMap:
		return "object"
	case pcommon.ValueTypeSlice:
		return "array"
	case pcommon.ValueTypeBytes:
		return "bytes"
	}
	return "empty"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
