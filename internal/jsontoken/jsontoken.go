// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package jsontoken is the one JSON tokenizer of the repository: strings, numbers, literals,
// the punctuation between them and the skipping of whole values, over a document held in a
// string. Both readers of log bodies are built on it — jsonfind (the bridge's zero-allocation
// lookup) and jsontopdata (ml_schema's and the Pub/Sub receiver's parse into pdata) — so a body
// one of them accepts as JSON the other accepts too.
//
// The grammar is RFC 8259's, as encoding/json applies it: control characters must be escaped
// in strings, escapes are the nine of the RFC, numbers follow the RFC's grammar, and nothing
// may follow the document. Like encoding/json, invalid UTF-8 is accepted; unlike it, nothing
// is replaced while reading, so an ID's bytes reach the mapping exactly as written.
//
// Nothing here allocates, except Unescape for a string that holds escapes and SkipValue for
// containers nested more than 64 deep.
package jsontoken

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a value.
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

// SyntaxError locates malformed input.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON: %s at offset %d", e.Msg, e.Offset)
}

// Lexer reads tokens from Doc, starting at Pos. Every method that reads a token first skips
// the white space before it.
type Lexer struct {
	Doc string
	Pos int
}

// Fail returns a SyntaxError at the current position.
func (l *Lexer) Fail(msg string) error { return &SyntaxError{Offset: l.Pos, Msg: msg} }

// skipSpace moves past JSON white space.
func (l *Lexer) skipSpace() {
	i := l.Pos
	for i < len(l.Doc) && l.Doc[i] <= ' ' && (l.Doc[i] == ' ' || l.Doc[i] == '\t' || l.Doc[i] == '\n' || l.Doc[i] == '\r') {
		i++
	}
	l.Pos = i
}

// Peek skips white space and returns the next byte, or 0 at the end of the document.
func (l *Lexer) Peek() byte {
	l.skipSpace()
	if l.Pos >= len(l.Doc) {
		return 0
	}
	return l.Doc[l.Pos]
}

// StartsObject reports whether doc, after white space, starts with '{': whether it can be a
// JSON object at all. Plain-text log lines fail here at their first byte.
func StartsObject(doc string) bool {
	l := Lexer{Doc: doc}
	return l.Peek() == '{'
}

// Open consumes the '{' or '[' at the current position and reports whether the container is
// empty, in which case its closing bracket is consumed too.
func (l *Lexer) Open() (empty bool) {
	closing := byte('}')
	if l.Doc[l.Pos] == '[' {
		closing = ']'
	}
	l.Pos++
	if l.Peek() == closing {
		l.Pos++
		return true
	}
	return false
}

// Key reads an object member's name and the colon after it. raw is the name as written, still
// escaped; escaped says whether it holds escapes (see Unescape).
func (l *Lexer) Key() (raw string, escaped bool, err error) {
	if raw, escaped, err = l.String(); err != nil {
		return "", false, err
	}
	if l.Peek() != ':' {
		return "", false, l.Fail("':' expected")
	}
	l.Pos++
	return raw, escaped, nil
}

// Next reads what follows a member or element of a container closed by closing: a comma
// (more is true) or the closing bracket (consumed; more is false).
func (l *Lexer) Next(closing byte) (more bool, err error) {
	switch l.Peek() {
	case ',':
		l.Pos++
		return true, nil
	case closing:
		l.Pos++
		return false, nil
	}
	if closing == '}' {
		return false, l.Fail("',' or '}' expected")
	}
	return false, l.Fail("',' or ']' expected")
}

// End checks that nothing but white space follows the document.
func (l *Lexer) End() error {
	l.skipSpace()
	if l.Pos != len(l.Doc) {
		return l.Fail("data after the document")
	}
	return nil
}

// stringByte marks the bytes that may stand for themselves inside a string.
var stringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// String reads a string and returns its contents as written, between the quotes, after
// checking that every escape is valid and that no control character is left unescaped.
func (l *Lexer) String() (raw string, escaped bool, err error) {
	if l.Peek() != '"' {
		return "", false, l.Fail("string expected")
	}
	start := l.Pos + 1
	i := start
	for {
		i = plainRun(l.Doc, i)
		if i >= len(l.Doc) {
			l.Pos = i
			return "", false, l.Fail("unterminated string")
		}
		switch c := l.Doc[i]; c {
		case '"':
			l.Pos = i + 1
			return l.Doc[start:i], escaped, nil
		case '\\':
			n := escapeLen(l.Doc, i)
			if n == 0 {
				l.Pos = i
				return "", false, l.Fail("invalid escape")
			}
			escaped = true
			i += n
		default:
			l.Pos = i
			return "", false, l.Fail("control character in string")
		}
	}
}

// plainRun returns the index of the first byte at or after i that cannot stand for itself in
// a string. Log lines are mostly such bytes: eight at a time are tested with word arithmetic
// (the classic "has a zero byte" trick), the rest one by one.
func plainRun(doc string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(doc); i += 8 {
		w := uint64(doc[i]) | uint64(doc[i+1])<<8 | uint64(doc[i+2])<<16 | uint64(doc[i+3])<<24 |
			uint64(doc[i+4])<<32 | uint64(doc[i+5])<<40 | uint64(doc[i+6])<<48 | uint64(doc[i+7])<<56
		quote, backslash := w^(ones*'"'), w^(ones*'\\')
		special := (w-ones*0x20)&^w | (quote-ones)&^quote | (backslash-ones)&^backslash
		if special&highs != 0 {
			break
		}
	}
	for i < len(doc) && stringByte[doc[i]] {
		i++
	}
	return i
}

// escapeLen returns the length of the valid escape at doc[i] ('\\'), or 0.
func escapeLen(doc string, i int) int {
	if i+1 >= len(doc) {
		return 0
	}
	switch doc[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if _, ok := hex4(doc, i+2); ok {
			return 6
		}
	}
	return 0
}

// Number reads a number by the grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and
// returns its text and whether it has neither fraction nor exponent.
func (l *Lexer) Number() (text string, integral bool, err error) {
	l.skipSpace()
	start := l.Pos
	integral = true
	if l.Pos < len(l.Doc) && l.Doc[l.Pos] == '-' {
		l.Pos++
	}
	switch {
	case l.Pos < len(l.Doc) && l.Doc[l.Pos] == '0':
		l.Pos++
	case l.digits() == 0:
		return "", false, l.Fail("invalid number")
	}
	if l.Pos < len(l.Doc) && l.Doc[l.Pos] == '.' {
		l.Pos++
		integral = false
		if l.digits() == 0 {
			return "", false, l.Fail("digits expected after '.'")
		}
	}
	if l.Pos < len(l.Doc) && (l.Doc[l.Pos] == 'e' || l.Doc[l.Pos] == 'E') {
		l.Pos++
		integral = false
		if l.Pos < len(l.Doc) && (l.Doc[l.Pos] == '+' || l.Doc[l.Pos] == '-') {
			l.Pos++
		}
		if l.digits() == 0 {
			return "", false, l.Fail("digits expected in exponent")
		}
	}
	return l.Doc[start:l.Pos], integral, nil
}

func (l *Lexer) digits() int {
	start := l.Pos
	for l.Pos < len(l.Doc) && l.Doc[l.Pos] >= '0' && l.Doc[l.Pos] <= '9' {
		l.Pos++
	}
	return l.Pos - start
}

// Literal reads true, false or null and returns its kind and, for booleans, its value.
func (l *Lexer) Literal() (kind Kind, value bool, err error) {
	rest := l.Doc[l.Pos:]
	switch {
	case strings.HasPrefix(rest, "true"):
		l.Pos += 4
		return KindBool, true, nil
	case strings.HasPrefix(rest, "false"):
		l.Pos += 5
		return KindBool, false, nil
	case strings.HasPrefix(rest, "null"):
		l.Pos += 4
		return KindNull, false, nil
	}
	return 0, false, l.Fail("invalid literal")
}

// Scalar reads a string, number or literal. For strings, text is the raw contents between
// the quotes; for the others, the value's JSON text.
func (l *Lexer) Scalar() (kind Kind, text string, err error) {
	switch c := l.Peek(); {
	case c == '"':
		text, _, err = l.String()
		return KindString, text, err
	case c == '-' || (c >= '0' && c <= '9'):
		text, _, err = l.Number()
		return KindNumber, text, err
	case c == 't' || c == 'f' || c == 'n':
		start := l.Pos
		kind, _, err = l.Literal()
		return kind, l.Doc[start:l.Pos], err
	}
	return 0, "", l.Fail("value expected")
}

// SkipValue reads one value of any kind and checks it, containers included, without
// recursion: the open containers are kept on an explicit stack, so hostile nesting costs its
// bytes and cannot exhaust the goroutine's stack.
func (l *Lexer) SkipValue() (Kind, error) {
	c := l.Peek()
	if c != '{' && c != '[' {
		kind, _, err := l.Scalar()
		return kind, err
	}
	kind := KindObject
	if c == '[' {
		kind = KindArray
	}
	var inline [64]byte
	open := inline[:0] // the closing bracket of each open container
	for {
		// At a value: open a container or read a scalar.
		if c := l.Peek(); c == '{' || c == '[' {
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			if !l.Open() {
				open = append(open, closing)
				if closing == '}' {
					if _, _, err := l.Key(); err != nil {
						return 0, err
					}
				}
				continue
			}
		} else if _, _, err := l.Scalar(); err != nil {
			return 0, err
		}
		// After a value: a comma leads to the next one, a bracket closes containers.
		for {
			if len(open) == 0 {
				return kind, nil
			}
			closing := open[len(open)-1]
			more, err := l.Next(closing)
			if err != nil {
				return 0, err
			}
			if more {
				if closing == '}' {
					if _, _, err := l.Key(); err != nil {
						return 0, err
					}
				}
				break
			}
			open = open[:len(open)-1]
		}
	}
}

// Walk reads one value as SkipValue does, and lets a reader act on its parts on the way
// (SkipValue keeps a loop of its own: the hooks' checks cost the bridge's lookup 10-19 %,
// measured with BenchmarkFind):
// member is called after each object member's name is read (raw and escaped as Key returns
// them) and may read the member's value itself, reporting consumed; scalar is called at each
// scalar value and must read it. Either may be nil.
func (l *Lexer) Walk(member func(raw string, escaped bool) (consumed bool, err error), scalar func() error) (Kind, error) {
	kind := kindAt(l.Peek())
	var inline [64]byte
	open := inline[:0] // the closing bracket of each open container
	for {
		// At a value: open a container or read a scalar.
		if c := l.Peek(); c == '{' || c == '[' {
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			if !l.Open() {
				open = append(open, closing)
				if closing == ']' {
					continue
				}
				consumed, err := l.memberName(member)
				if err != nil {
					return 0, err
				}
				if !consumed {
					continue
				}
			}
		} else if scalar != nil {
			if err := scalar(); err != nil {
				return 0, err
			}
		} else if _, _, err := l.Scalar(); err != nil {
			return 0, err
		}
		// After a value: a comma leads to the next one, a bracket closes containers.
		for {
			if len(open) == 0 {
				return kind, nil
			}
			closing := open[len(open)-1]
			more, err := l.Next(closing)
			if err != nil {
				return 0, err
			}
			if !more {
				open = open[:len(open)-1]
				continue
			}
			if closing == ']' {
				break
			}
			consumed, err := l.memberName(member)
			if err != nil {
				return 0, err
			}
			if !consumed {
				break
			}
		}
	}
}

// memberName reads a member's name and hands it to member, when there is one.
func (l *Lexer) memberName(member func(string, bool) (bool, error)) (bool, error) {
	raw, escaped, err := l.Key()
	if err != nil || member == nil {
		return false, err
	}
	return member(raw, escaped)
}

// kindAt is the kind of the value a byte begins; 0 for one that begins none.
func kindAt(c byte) Kind {
	switch {
	case c == '{':
		return KindObject
	case c == '[':
		return KindArray
	case c == '"':
		return KindString
	case c == '-' || (c >= '0' && c <= '9'):
		return KindNumber
	case c == 't' || c == 'f':
		return KindBool
	case c == 'n':
		return KindNull
	}
	return 0
}

// Unescape decodes the raw contents of a string that String accepted. Like encoding/json, it
// turns a lone UTF-16 surrogate into U+FFFD.
func Unescape(raw string) string {
	if strings.IndexByte(raw, '\\') < 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw)) // decoding never lengthens: one allocation
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b.WriteByte(c)
			i++
			continue
		}
		switch e := raw[i+1]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := unicodeEscape(raw, i)
			b.WriteRune(r)
			i += n
			continue
		default: // '"', '\\', '/'
			b.WriteByte(e)
		}
		i += 2
	}
	return b.String()
}

// unicodeEscape decodes the \uXXXX escape at raw[i], joining a surrogate pair, and returns
// the rune and the bytes it took.
func unicodeEscape(raw string, i int) (rune, int) {
	r, ok := hex4(raw, i+2)
	if !ok {
		return utf8.RuneError, 2
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
		if r2, ok := hex4(raw, i+8); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12
			}
		}
	}
	return utf8.RuneError, 6
}

func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for i := at; i < at+4; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
