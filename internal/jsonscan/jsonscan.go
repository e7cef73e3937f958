// Package jsonscan finds fields in a JSON object held in a string without decoding the whole
// document: one pass, no maps built, no allocation unless a key or string value holds escapes.
// It is a scanner, not a validator: it reports malformed input it walks through, but does not
// check every byte of the values it skips.
package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
)

// Kind is the JSON type of a value found.
type Kind uint8

// The JSON kinds.
const (
	KindString Kind = iota + 1
	KindNumber
	KindBool
	KindNull
	KindObject
	KindArray
)

// Value is a field's value as it appears in the document.
type Value struct {
	// Raw is the value's JSON text; for strings, the text between the quotes, still escaped.
	Raw  string
	Kind Kind
}

// Text returns a string value unescaped, or any other value's JSON text.
func (v Value) Text() string {
	if v.Kind != KindString || strings.IndexByte(v.Raw, '\\') < 0 {
		return v.Raw
	}
	return unescape(v.Raw)
}

// ErrMalformed is returned for input that is not a JSON object.
var ErrMalformed = errors.New("jsonscan: malformed JSON object")

// maxPathDepth bounds descent into nested objects; deeper paths are not looked up.
const maxPathDepth = 16

// Find scans doc, which must be a JSON object, for the dotted paths and returns the index in
// paths of the first path present (paths are in priority order) and its value. Each dot of a
// path is either a step into a nested object or part of a key, so "trace.id" matches both
// {"trace.id": …} and {"trace": {"id": …}}. Among several occurrences the first in the
// document wins. Reading stops at the first occurrence of paths[0], which nothing can beat:
// malformed text after it is not reported.
func Find(doc string, paths []string) (int, Value, error) {
	s := scanner{doc: doc, paths: paths, best: -1}
	for _, p := range paths {
		if p != "" {
			s.firstBytes[p[0]>>6] |= 1 << (p[0] & 63)
		}
	}
	s.skipSpace()
	if s.pos >= len(doc) || doc[s.pos] != '{' {
		return -1, Value{}, ErrMalformed
	}
	var segs [maxPathDepth]string
	if err := s.object(segs[:0]); err != nil {
		return -1, Value{}, err
	}
	return s.best, s.value, nil
}

type scanner struct {
	doc   string
	pos   int
	paths []string
	best  int
	value Value
	// done is set once the first path is found: nothing can beat it, so the rest of the
	// document is not read.
	done bool
	// firstBytes has a bit for each byte a path starts with: top-level keys without one are
	// passed over without comparing them to every path.
	firstBytes [4]uint64
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.doc) {
		switch s.doc[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// object scans the object starting at s.pos; segs is the key path that leads to it.
func (s *scanner) object(segs []string) error {
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.doc) && s.doc[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		rawKey, err := s.str()
		if err != nil {
			return err
		}
		key := rawKey
		if strings.IndexByte(rawKey, '\\') >= 0 {
			key = unescape(rawKey)
		}
		s.skipSpace()
		if s.pos >= len(s.doc) || s.doc[s.pos] != ':' {
			return ErrMalformed
		}
		s.pos++
		s.skipSpace()
		if err := s.member(append(segs, key)); err != nil || s.done {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.doc) {
			return ErrMalformed
		}
		switch s.doc[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return ErrMalformed
		}
	}
}

// member scans the value of the key path segs, recording it when a wanted path matches.
func (s *scanner) member(segs []string) error {
	full, prefix := s.match(segs)
	start := s.pos
	var kind Kind
	var err error
	if prefix && s.pos < len(s.doc) && s.doc[s.pos] == '{' && len(segs) < maxPathDepth {
		kind, err = KindObject, s.object(segs)
	} else {
		kind, err = s.skipValue()
	}
	if err != nil {
		return err
	}
	if full >= 0 && (s.best < 0 || full < s.best) && !s.done {
		s.best, s.done = full, full == 0
		s.value = Value{Raw: s.doc[start:s.pos], Kind: kind}
		if kind == KindString {
			s.value.Raw = s.doc[start+1 : s.pos-1]
		}
	}
	return nil
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
		if !strings.HasPrefix(p, seg) {
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

// str scans a string at s.pos and returns its raw (escaped) contents.
func (s *scanner) str() (string, error) {
	if s.pos >= len(s.doc) || s.doc[s.pos] != '"' {
		return "", ErrMalformed
	}
	start := s.pos + 1
	for i := start; ; i++ {
		quote := strings.IndexByte(s.doc[i:], '"')
		if quote < 0 {
			return "", ErrMalformed
		}
		i += quote
		// The quote ends the string unless an odd run of backslashes escapes it.
		escapes := 0
		for j := i - 1; j >= start && s.doc[j] == '\\'; j-- {
			escapes++
		}
		if escapes%2 == 0 {
			s.pos = i + 1
			return s.doc[start:i], nil
		}
	}
}

// skipValue moves past one value. Containers are skipped with a depth counter, not recursion,
// so hostile nesting cannot exhaust the stack.
func (s *scanner) skipValue() (Kind, error) {
	if s.pos >= len(s.doc) {
		return 0, ErrMalformed
	}
	switch c := s.doc[s.pos]; {
	case c == '"':
		_, err := s.str()
		return KindString, err
	case c == '{' || c == '[':
		kind := KindObject
		if c == '[' {
			kind = KindArray
		}
		return kind, s.skipContainer()
	case c == 't':
		return KindBool, s.literal("true")
	case c == 'f':
		return KindBool, s.literal("false")
	case c == 'n':
		return KindNull, s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.pos
		for s.pos < len(s.doc) && strings.IndexByte("+-.eE0123456789", s.doc[s.pos]) >= 0 {
			s.pos++
		}
		if s.pos == start+1 && c == '-' {
			return 0, ErrMalformed
		}
		return KindNumber, nil
	}
	return 0, ErrMalformed
}

func (s *scanner) skipContainer() error {
	depth := 0
	for s.pos < len(s.doc) {
		switch s.doc[s.pos] {
		case '"':
			if _, err := s.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.pos++
				return nil
			}
		}
		s.pos++
	}
	return ErrMalformed
}

func (s *scanner) literal(word string) error {
	if !strings.HasPrefix(s.doc[s.pos:], word) {
		return ErrMalformed
	}
	s.pos += len(word)
	return nil
}

// unescape decodes a string's escaped contents; invalid escapes come back as written.
func unescape(raw string) string {
	var out string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &out); err != nil {
		return raw
	}
	return out
}
