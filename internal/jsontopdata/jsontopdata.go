// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package jsontopdata parses a JSON object held in a log body into a pdata map, in one pass
// over the string, without an intermediate map[string]any. It reads with jsontoken, the
// tokenizer the bridge's jsonfind reads with, so both accept the same documents. Subtrees
// nested deeper than a cap are checked without recursion and kept as their raw JSON text, so
// hostile nesting costs no more than its bytes and cannot exhaust the stack.
package jsontopdata

import (
	"errors"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontoken"
)

// ErrNotObject is returned when the document does not start with '{'.
var ErrNotObject = errors.New("jsontopdata: not a JSON object")

// Result describes a parse.
type Result struct {
	// Truncated is true when some subtree was deeper than the cap and kept as raw text.
	Truncated bool
}

// ParseObject parses doc, which must be one JSON object, into dst, replacing its contents on
// success and leaving it untouched on error (a *jsontoken.SyntaxError or ErrNotObject).
// Containers nested deeper than maxDepth are stored as their raw JSON text. Numbers without
// fraction or exponent that fit int64 become ints, other numbers doubles; numbers beyond
// float64 keep their digits as a string. A key given twice keeps its last value.
func ParseObject(doc string, dst pcommon.Map, maxDepth int) (Result, error) {
	p := parser{lex: jsontoken.Lexer{Doc: doc}, maxDepth: maxDepth}
	if p.lex.Peek() != '{' {
		return Result{}, ErrNotObject
	}
	out := pcommon.NewMap()
	out.EnsureCapacity(16) // log records carry a dozen or two fields: grow once, not five times
	if err := p.object(out, 1); err != nil {
		return Result{}, err
	}
	if err := p.lex.End(); err != nil {
		return Result{}, err
	}
	out.MoveTo(dst)
	return Result{Truncated: p.truncated}, nil
}

type parser struct {
	lex       jsontoken.Lexer
	maxDepth  int
	truncated bool
}

// object parses the object at the current position into m.
func (p *parser) object(m pcommon.Map, depth int) error {
	if p.lex.Open() {
		return nil
	}
	for {
		key, escaped, err := p.lex.Key()
		if err != nil {
			return err
		}
		if escaped {
			key = jsontoken.Unescape(key)
		}
		if err := p.value(m.PutEmpty(key), depth); err != nil {
			return err
		}
		if more, err := p.lex.Next('}'); !more {
			return err
		}
	}
}

func (p *parser) array(s pcommon.Slice, depth int) error {
	if p.lex.Open() {
		return nil
	}
	for {
		if err := p.value(s.AppendEmpty(), depth); err != nil {
			return err
		}
		if more, err := p.lex.Next(']'); !more {
			return err
		}
	}
}

func (p *parser) value(dst pcommon.Value, depth int) error {
	switch c := p.lex.Peek(); {
	case c == '{' || c == '[':
		return p.container(dst, c, depth)
	case c == '"':
		s, escaped, err := p.lex.String()
		if escaped {
			s = jsontoken.Unescape(s)
		}
		dst.SetStr(s)
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		text, integral, err := p.lex.Number()
		if err == nil {
			setNumber(dst, text, integral)
		}
		return err
	case c == 't' || c == 'f' || c == 'n':
		kind, b, err := p.lex.Literal()
		if kind == jsontoken.KindBool {
			dst.SetBool(b)
		}
		return err // null stays an empty value
	}
	return p.lex.Fail("value expected")
}

// container parses an object or array, or keeps it as its JSON text beyond the depth cap.
func (p *parser) container(dst pcommon.Value, open byte, depth int) error {
	if depth >= p.maxDepth {
		start := p.lex.Pos
		if _, err := p.lex.SkipValue(); err != nil {
			return err
		}
		dst.SetStr(p.lex.Doc[start:p.lex.Pos])
		p.truncated = true
		return nil
	}
	if open == '{' {
		m := dst.SetEmptyMap()
		m.EnsureCapacity(4)
		return p.object(m, depth+1)
	}
	sl := dst.SetEmptySlice()
	sl.EnsureCapacity(4)
	return p.array(sl, depth+1)
}

// setNumber stores a number's text as an int when it is an integer that fits int64, else as a
// double, else (beyond float64) as its digits.
func setNumber(dst pcommon.Value, text string, integral bool) {
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			dst.SetInt(n)
			return
		}
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		dst.SetDouble(f)
		return
	}
	dst.SetStr(text)
}
