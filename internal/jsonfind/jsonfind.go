// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package jsonfind finds fields in a JSON object held in a string without decoding the whole
// document: one pass, no maps built, no allocation unless a key holds escapes. It reads with
// jsontoken, the tokenizer jsontopdata parses with, and checks the whole document by the same
// rules: a body Find accepts is a body jsontopdata.ParseObject accepts, and a field Find returns
// is the value ParseObject stores under the same key.
package jsonfind

import (
	"errors"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontoken"
)

// Kind is the JSON type of a value found.
type Kind = jsontoken.Kind

// The JSON kinds.
const (
	KindString = jsontoken.KindString
	KindNumber = jsontoken.KindNumber
	KindBool   = jsontoken.KindBool
	KindNull   = jsontoken.KindNull
	KindObject = jsontoken.KindObject
	KindArray  = jsontoken.KindArray
)

// Value is a field's value as it appears in the document.
type Value struct {
	// Raw is the value's JSON text; for strings, the text between the quotes, still escaped.
	Raw  string
	Kind Kind
}

// Text returns a string value unescaped, or any other value's JSON text.
func (v Value) Text() string {
	if v.Kind != KindString {
		return v.Raw
	}
	return jsontoken.Unescape(v.Raw)
}

// ErrNotObject is returned when the document does not start with '{'.
var ErrNotObject = errors.New("jsonfind: not a JSON object")

// maxPathDepth bounds descent into nested objects; deeper paths are not looked up (the values
// are still checked).
const maxPathDepth = 16

// Find checks doc, which must be one JSON object, and returns the index in paths of the first
// path present (paths are in priority order) and its value. Each dot of a path is either a
// step into a nested object or part of a key, so "trace.id" matches both {"trace.id": …} and
// {"trace": {"id": …}}. When a path occurs more than once the last occurrence wins, as it does
// when the document is parsed into a map. Malformed input is an error (a *jsontoken.SyntaxError
// or ErrNotObject), wherever it is.
func Find(doc string, paths []string) (int, Value, error) {
	s := scanner{lex: jsontoken.Lexer{Doc: doc}, paths: paths, best: -1}
	for _, p := range paths {
		if p != "" {
			s.firstBytes[p[0]>>6] |= 1 << (p[0] & 63)
		}
	}
	if s.lex.Peek() != '{' {
		return -1, Value{}, ErrNotObject
	}
	var segs [maxPathDepth]string
	if err := s.object(segs[:0]); err != nil {
		return -1, Value{}, err
	}
	if err := s.lex.End(); err != nil {
		return -1, Value{}, err
	}
	return s.best, s.value, nil
}

type scanner struct {
	lex   jsontoken.Lexer
	paths []string
	best  int
	value Value
	// firstBytes has a bit for each byte a path starts with: top-level keys without one are
	// passed over without comparing them to every path.
	firstBytes [4]uint64
}

// object scans the object at the current position; segs is the key path that leads to it.
func (s *scanner) object(segs []string) error {
	if s.lex.Open() {
		return nil
	}
	for {
		raw, escaped, err := s.lex.Key()
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			key = jsontoken.Unescape(raw)
		}
		if err := s.member(append(segs, key)); err != nil {
			return err
		}
		if more, err := s.lex.Next('}'); !more {
			return err
		}
	}
}

// member scans the value of the key path segs, recording it when a wanted path matches.
func (s *scanner) member(segs []string) error {
	full, prefix := s.match(segs)
	if prefix && len(segs) < maxPathDepth && s.lex.Peek() == '{' {
		start := s.lex.Pos
		if err := s.object(segs); err != nil {
			return err
		}
		s.record(full, Value{Raw: s.lex.Doc[start:s.lex.Pos], Kind: KindObject})
		return nil
	}
	if full < 0 {
		_, err := s.lex.SkipValue()
		return err
	}
	start := s.lex.Peek()
	from := s.lex.Pos
	var v Value
	var err error
	if start == '{' || start == '[' {
		v.Kind, err = s.lex.SkipValue()
		v.Raw = s.lex.Doc[from:s.lex.Pos]
	} else {
		v.Kind, v.Raw, err = s.lex.Scalar()
	}
	if err != nil {
		return err
	}
	s.record(full, v)
	return nil
}

// record keeps v as the value of path index full unless a better path was found: a later
// occurrence of the same path replaces an earlier one.
func (s *scanner) record(full int, v Value) {
	if full >= 0 && (s.best < 0 || full <= s.best) {
		s.best, s.value = full, v
	}
}

// match returns the index of the best path equal to segs joined by dots (or -1), and whether
// some path continues below segs.
func (s *scanner) match(segs []string) (full int, prefix bool) {
	full = -1
	if len(segs) == 1 && segs[0] != "" && s.firstBytes[segs[0][0]>>6]&(1<<(segs[0][0]&63)) == 0 {
		return full, false
	}
	for i, p := range s.paths {
		rest, ok := consume(p, segs)
		if !ok {
			continue
		}
		if rest == "" {
			if full < 0 {
				full = i
			}
		} else {
			prefix = true
		}
	}
	return full, prefix
}

// consume strips the dotted segs from the front of p. ok is false when p does not start with
// them; rest is what follows the next dot, or "" when p ends there.
func consume(p string, segs []string) (rest string, ok bool) {
	for i, seg := range segs {
		if len(p) < len(seg) || p[:len(seg)] != seg {
			return "", false
		}
		p = p[len(seg):]
		if i < len(segs)-1 {
			if p == "" || p[0] != '.' {
				return "", false
			}
			p = p[1:]
		}
	}
	if p == "" {
		return "", true
	}
	if p[0] != '.' || len(p) == 1 {
		return "", false
	}
	return p[1:], true
}
