// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package redact

import (
	"strings"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontoken"
)

// JSON masks secrets in a JSON object held as text — a log line an agent ships without
// parsing it — with the same two nets as on parsed records: the whole value of every member
// whose name is a secret key, at any depth and inside arrays, and every rule's matches inside
// the other string values (read after their escapes, so a secret spelled with \u escapes is
// still seen). Only the masked values are rewritten; every other byte stays as it was, so the
// line parses to the same record it would have, minus its secrets.
//
// ok is false, and doc is returned unchanged, when doc is not exactly one JSON object (a
// plain-text line, a line cut short, a Python repr): the caller treats it as text (String).
// The walk keeps its open containers on an explicit stack, so no nesting depth escapes it.
func (r *Redactor) JSON(doc string) (out string, masked int, ok bool) {
	if !jsontoken.StartsObject(doc) {
		return doc, 0, false
	}
	w := jsonWalk{r: r, l: jsontoken.Lexer{Doc: doc}}
	// Escapes other than \u decode to punctuation and control characters, never to letters:
	// a document without \u whose text holds no hint word has no string value that does.
	w.rules = len(r.rules) > 0 && (strings.Contains(doc, `\u`) || r.mayMatch(doc))
	if err := w.walk(); err != nil {
		return doc, 0, false
	}
	if len(w.edits) == 0 {
		return doc, 0, true
	}
	var b strings.Builder
	grow := len(doc)
	for _, e := range w.edits {
		grow += len(e.repl) - (e.end - e.start)
	}
	b.Grow(grow)
	last := 0
	for _, e := range w.edits {
		b.WriteString(doc[last:e.start])
		b.WriteString(e.repl)
		last = e.end
	}
	b.WriteString(doc[last:])
	return b.String(), w.masked, true
}

// maskedJSON is the mask as a JSON string: what a secret member's value becomes.
const maskedJSON = `"` + Mask + `"`

type edit struct {
	start, end int // the value's bytes in the document
	repl       string
}

type jsonWalk struct {
	r      *Redactor
	l      jsontoken.Lexer
	edits  []edit
	masked int
	rules  bool // whether string values can hold a rule's match at all
}

// walk reads the document: after a member's name, a secret's whole value is masked and
// skipped; string values elsewhere meet the rules.
func (w *jsonWalk) walk() error {
	if _, err := w.l.Walk(w.member, w.scalar); err != nil {
		return err
	}
	return w.l.End()
}

// member looks at a member's name; when it names a secret, it reads the value and masks it
// whole (consumed is then true).
func (w *jsonWalk) member(raw string, escaped bool) (consumed bool, err error) {
	if !w.r.HasKeys() {
		return false, nil
	}
	name := raw
	if escaped {
		name = jsontoken.Unescape(raw)
	}
	if !w.r.SecretKey(name) {
		return false, nil
	}
	w.l.Peek()
	start := w.l.Pos
	kind, err := w.l.SkipValue()
	if err != nil {
		return true, err
	}
	value := w.l.Doc[start:w.l.Pos]
	if kind == jsontoken.KindNull || (kind == jsontoken.KindString && nothingToHide(value)) {
		return true, nil // as on a parsed record: an empty value has nothing to hide
	}
	w.edits = append(w.edits, edit{start: start, end: w.l.Pos, repl: maskedJSON})
	w.masked++
	return true, nil
}

// nothingToHide: a JSON string that is empty or already the mask.
func nothingToHide(quoted string) bool {
	s := jsontoken.Unescape(quoted[1 : len(quoted)-1])
	return s == "" || s == Mask
}

// scalar reads a scalar; a string value meets the rules.
func (w *jsonWalk) scalar() error {
	l := &w.l
	if l.Peek() != '"' || !w.rules {
		_, _, err := l.Scalar()
		return err
	}
	start := l.Pos
	raw, escaped, err := l.String()
	if err != nil {
		return err
	}
	// As for the whole document: a value without \u and without a hint word needs no decoding.
	if escaped && !strings.Contains(raw, `\u`) && !w.r.mayMatch(raw) {
		return nil
	}
	value := raw
	if escaped {
		value = jsontoken.Unescape(raw)
	}
	redacted, n := w.r.String(value)
	if n == 0 {
		return nil
	}
	w.edits = append(w.edits, edit{start: start, end: l.Pos, repl: quoteJSON(redacted)})
	w.masked += n
	return nil
}

// quoteJSON writes s as a JSON string, escaping only what JSON requires (quote, backslash,
// control characters); every other byte stands for itself, invalid UTF-8 included, as the
// lexer read it.
func quoteJSON(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
