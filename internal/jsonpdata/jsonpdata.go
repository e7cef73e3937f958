// Package jsonpdata parses a JSON object held in a log body into a pdata map, in one pass
// over the string, without an intermediate map[string]any. Subtrees nested deeper than a cap
// are validated without recursion and kept as their raw JSON text, so hostile nesting costs no
// more than its bytes and cannot exhaust the stack.
package jsonpdata

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ErrNotObject is returned when the document is not a single JSON object.
var ErrNotObject = errors.New("jsonpdata: not a JSON object")

// Result describes a parse.
type Result struct {
	// Truncated is true when some subtree was deeper than the cap and kept as raw text.
	Truncated bool
}

// SyntaxError locates malformed input.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("jsonpdata: %s at offset %d", e.Msg, e.Offset)
}

// ParseObject parses doc, which must be one JSON object, into dst, replacing its contents on
// success and leaving it untouched on error. Containers nested deeper than maxDepth are
// stored as their raw JSON text. Numbers without fraction or exponent that fit int64 become
// ints, other numbers doubles; numbers beyond float64 keep their digits as a string.
func ParseObject(doc string, dst pcommon.Map, maxDepth int) (Result, error) {
	p := parser{s: doc, maxDepth: maxDepth}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return Result{}, ErrNotObject
	}
	out := pcommon.NewMap()
	out.EnsureCapacity(16) // log records carry a dozen or two fields: grow once, not five times
	if err := p.object(out, 1); err != nil {
		return Result{}, err
	}
	p.space()
	if p.i != len(p.s) {
		return Result{}, p.fail("trailing data after the object")
	}
	out.MoveTo(dst)
	return Result{Truncated: p.truncated}, nil
}

type parser struct {
	s         string
	i         int
	maxDepth  int
	truncated bool
}

func (p *parser) fail(msg string) error { return &SyntaxError{Offset: p.i, Msg: msg} }

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// object parses the object at p.i ('{') into m.
func (p *parser) object(m pcommon.Map, depth int) error {
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		p.space()
		key, err := p.str()
		if err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.fail("':' expected")
		}
		p.i++
		p.space()
		if err := p.value(m.PutEmpty(key), depth); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.s) {
			return p.fail("unterminated object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.fail("',' or '}' expected")
		}
	}
}

func (p *parser) array(s pcommon.Slice, depth int) error {
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		p.space()
		if err := p.value(s.AppendEmpty(), depth); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.s) {
			return p.fail("unterminated array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.fail("',' or ']' expected")
		}
	}
}

func (p *parser) value(dst pcommon.Value, depth int) error {
	if p.i >= len(p.s) {
		return p.fail("value expected")
	}
	switch c := p.s[p.i]; {
	case c == '{' || c == '[':
		if depth >= p.maxDepth {
			start := p.i
			if err := p.skipContainer(); err != nil {
				return err
			}
			dst.SetStr(p.s[start:p.i])
			p.truncated = true
			return nil
		}
		if c == '{' {
			m := dst.SetEmptyMap()
			m.EnsureCapacity(4)
			return p.object(m, depth+1)
		}
		sl := dst.SetEmptySlice()
		sl.EnsureCapacity(4)
		return p.array(sl, depth+1)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		dst.SetStr(s)
	case c == 't':
		if err := p.literal("true"); err != nil {
			return err
		}
		dst.SetBool(true)
	case c == 'f':
		if err := p.literal("false"); err != nil {
			return err
		}
		dst.SetBool(false)
	case c == 'n':
		return p.literal("null") // null stays an empty value
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(dst)
	default:
		return p.fail("value expected")
	}
	return nil
}

func (p *parser) literal(word string) error {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return p.fail("invalid literal")
	}
	p.i += len(word)
	return nil
}

// number scans the JSON number grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *parser) number(dst pcommon.Value) error {
	start := p.i
	integral := true
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.i < len(p.s) && p.s[p.i] >= '1' && p.s[p.i] <= '9':
		p.digits()
	default:
		return p.fail("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		integral = false
		if p.digits() == 0 {
			return p.fail("digits expected after '.'")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		integral = false
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return p.fail("digits expected in exponent")
		}
	}
	text := p.s[start:p.i]
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			dst.SetInt(n)
			return nil
		}
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		dst.SetDouble(f)
	} else {
		dst.SetStr(text) // beyond float64: keep the digits
	}
	return nil
}

func (p *parser) digits() int {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// str parses the string at p.i. Strings without escapes are returned as substrings of the
// document, without copying.
func (p *parser) str() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", p.fail("string expected")
	}
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			p.i = j + 1
			return p.s[start:j], nil
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			p.i = j
			return "", p.fail("control character in string")
		}
	}
	p.i = len(p.s)
	return "", p.fail("unterminated string")
}

func (p *parser) escapedStr(start int) (string, error) {
	buf := make([]byte, 0, 32)
	j := start
	for j < len(p.s) {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			return string(buf), nil
		case c < 0x20:
			p.i = j
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			j++
			continue
		}
		if j+1 >= len(p.s) {
			break
		}
		j++
		switch e := p.s[j]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(p.s, j+1)
			if !ok {
				p.i = j
				return "", p.fail("invalid \\u escape")
			}
			j += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(p.s, j+3); ok && j+2 < len(p.s) && p.s[j+1] == '\\' && p.s[j+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						j += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			p.i = j
			return "", p.fail("invalid escape")
		}
		j++
	}
	p.i = len(p.s)
	return "", p.fail("unterminated string")
}

func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[at : at+4]) {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// skipContainer validates the container at p.i and moves past it, keeping the open
// containers on an explicit stack rather than the goroutine's.
func (p *parser) skipContainer() error {
	var stack []byte
	expectValue := true
	for {
		p.space()
		if p.i >= len(p.s) {
			return p.fail("unterminated container")
		}
		c := p.s[p.i]
		if expectValue {
			switch c {
			case '{', '[':
				stack = append(stack, c)
				p.i++
				p.space()
				if p.i < len(p.s) && (p.s[p.i] == '}' && c == '{' || p.s[p.i] == ']' && c == '[') {
					p.i++
					stack = stack[:len(stack)-1]
					expectValue = false
					if len(stack) == 0 {
						return nil
					}
					continue
				}
				if c == '{' {
					if err := p.skipKey(); err != nil {
						return err
					}
				}
				continue
			default:
				if err := p.value(pcommon.NewValueEmpty(), 0); err != nil {
					return err
				}
				expectValue = false
				continue
			}
		}
		top := stack[len(stack)-1]
		switch {
		case c == ',':
			p.i++
			if top == '{' {
				p.space()
				if err := p.skipKey(); err != nil {
					return err
				}
			}
			expectValue = true
		case c == '}' && top == '{', c == ']' && top == '[':
			p.i++
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
		default:
			return p.fail("',' or end of container expected")
		}
	}
}

func (p *parser) skipKey() error {
	if _, err := p.str(); err != nil {
		return err
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return p.fail("':' expected")
	}
	p.i++
	return nil
}
