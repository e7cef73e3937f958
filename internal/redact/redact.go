// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package redact masks secrets in log data two ways: by the name of the field that holds a
// value (api_key, accessToken, X-Auth-Token, client_secret, ...) and by regular expressions
// over text. Each expression runs only on values that contain one of its hint words: a byte
// scan for a few words costs far less than a case-insensitive regular expression over every
// value, and almost no log value holds a secret.
package redact

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces what a rule matches, as contrib's redaction processor does.
const Mask = "****"

// RuleConfig is one rule: Pattern is a Go regular expression; Hints are words (ASCII,
// matched case-insensitively, with Unicode's simple case folding as (?i) applies it, so the
// Kelvin sign counts as a k) one of which every match contains — "bearer" for a bearer
// token. Without hints the pattern runs on every value. A hint a match can lack makes the
// rule miss that match: choose words the pattern itself requires.
type RuleConfig struct {
	Pattern string   `mapstructure:"pattern"`
	Hints   []string `mapstructure:"hints"`
}

type rule struct {
	re    *regexp.Regexp
	hints []string // lower case
}

// hintRef is a hint word (lower case) and the index of its rule.
type hintRef struct {
	word string
	rule int
}

// maxRules bounds the rules of one Redactor: a value's hinted rules are a 64-bit set.
const maxRules = 64

// Redactor applies key names and rules; it is safe for concurrent use.
type Redactor struct {
	keys  []string // lower-case letters and digits only
	rules []rule
	// byFirst lists, for each byte, the hints that can begin with it: both ASCII cases of
	// their first letter and the first byte of every rune that folds to it (the Kelvin sign
	// for k). One pass over a value finds every rule's hints.
	byFirst [256][]hintRef
	// unhinted has the bits of the rules without hints (they run on every value).
	unhinted uint64
}

// Validate checks one rule as New would build it.
func (rc RuleConfig) Validate() error {
	_, err := New([]RuleConfig{rc}, nil)
	return err
}

// ValidateKeys checks key names as New would take them.
func ValidateKeys(keys []string) error {
	_, err := New(nil, keys)
	return err
}

// New compiles rules and key names. A key name is matched against a field's name ignoring
// case and separators, as the field name's last words: "api_key" matches api_key, apiKey,
// API-KEY, x-api-key and http.request.header.x-api-key, but not monkey_key or api_key_id.
func New(rules []RuleConfig, keys []string) (*Redactor, error) {
	r := &Redactor{}
	var errs []error
	for i, k := range keys {
		norm := normalizeKey(k)
		if norm == "" {
			errs = append(errs, fmt.Errorf("keys[%d]: %q has no letter or digit", i, k))
			continue
		}
		r.keys = append(r.keys, norm)
	}
	if len(rules) > maxRules {
		errs = append(errs, fmt.Errorf("%d rules: at most %d; join alternatives into one pattern", len(rules), maxRules))
		rules = rules[:maxRules]
	}
	for i, rc := range rules {
		re, err := regexp.Compile(rc.Pattern)
		if err != nil {
			errs = append(errs, fmt.Errorf("%spattern: %w", at(i, len(rules)), err))
			continue
		}
		ru := rule{re: re}
		for _, h := range rc.Hints {
			if h == "" {
				errs = append(errs, fmt.Errorf("%shints: an empty hint matches everything; leave hints out instead", at(i, len(rules))))
				continue
			}
			if !isASCII(h) {
				errs = append(errs, fmt.Errorf("%shints: %q: hints are ASCII words", at(i, len(rules)), h))
				continue
			}
			lower := strings.ToLower(h)
			ru.hints = append(ru.hints, lower)
			r.index(hintRef{word: lower, rule: len(r.rules)})
		}
		if len(ru.hints) == 0 {
			r.unhinted |= 1 << len(r.rules)
		}
		r.rules = append(r.rules, ru)
	}
	return r, errors.Join(errs...)
}

// index files h under every byte a rune folding to its first letter can begin with.
func (r *Redactor) index(h hintRef) {
	c := rune(h.word[0])
	for f := unicode.SimpleFold(c); ; f = unicode.SimpleFold(f) {
		var buf [utf8.UTFMax]byte
		utf8.EncodeRune(buf[:], f)
		r.byFirst[buf[0]] = append(r.byFirst[buf[0]], h)
		if f == c {
			return
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// at names rule i in an error, when there are several.
func at(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("[%d].", i)
}

// HasKeys reports whether any key name is configured.
func (r *Redactor) HasKeys() bool { return len(r.keys) > 0 }

// SecretKey reports whether a field of this name holds a secret: its last words, ignoring
// case and the separators between words (_ - . space and camelCase), spell a configured key
// name. It does not allocate.
func (r *Redactor) SecretKey(name string) bool {
	for _, k := range r.keys {
		if keyEndsWith(name, k) {
			return true
		}
	}
	return false
}

// keyEndsWith: name's letters and digits end with norm, and the match begins a word of name.
func keyEndsWith(name, norm string) bool {
	i, j := len(name)-1, len(norm)-1
	for ; i >= 0 && j >= 0; i-- {
		c := name[i]
		if !isWordByte(c) {
			continue
		}
		if lowerASCII(c) != norm[j] {
			return false
		}
		j--
	}
	if j >= 0 {
		return false
	}
	first := i + 1 // the byte that matched norm[0]
	for first < len(name) && !isWordByte(name[first]) {
		first++
	}
	if first == 0 {
		return true
	}
	prev, cur := name[first-1], name[first]
	if !isWordByte(prev) {
		return true
	}
	// camelCase: a capital after a small letter or digit starts a word (accessToken);
	// so does a capital followed by a small letter after capitals (APIKey's K, OAuthToken's T).
	if isUpper(cur) && (isLower(prev) || isDigit(prev)) {
		return true
	}
	return isUpper(cur) && isUpper(prev) && first+1 < len(name) && isLower(name[first+1])
}

// normalizeKey keeps a key name's ASCII letters (lower case) and digits.
func normalizeKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if isWordByte(k[i]) {
			b.WriteByte(lowerASCII(k[i]))
		}
	}
	return b.String()
}

func isWordByte(c byte) bool { return isLower(c) || isUpper(c) || isDigit(c) || c >= utf8.RuneSelf }
func isLower(c byte) bool    { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool    { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool    { return '0' <= c && c <= '9' }

func lowerASCII(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

// String returns s with every match of every rule masked, and how many were masked; s itself
// (no allocation) when nothing matched.
func (r *Redactor) String(s string) (string, int) {
	candidates := r.candidates(s)
	masked := 0
	for i := range r.rules {
		if candidates&(1<<i) == 0 {
			continue
		}
		n := 0
		out := r.rules[i].re.ReplaceAllStringFunc(s, func(string) string { n++; return Mask })
		if n > 0 {
			s, masked = out, masked+n
		}
	}
	return s, masked
}

// mayMatch reports whether any rule can match s: one without hints, or one whose hint s holds.
func (r *Redactor) mayMatch(s string) bool { return r.candidates(s) != 0 }

// candidates returns the set of rules that can match s: those without hints and those with a
// hint in s, case-insensitively as (?i) folds. One pass over s serves every rule.
func (r *Redactor) candidates(s string) uint64 {
	set := r.unhinted
	all := uint64(1)<<len(r.rules) - 1
	for i := 0; i < len(s) && set != all; i++ {
		for _, h := range r.byFirst[s[i]] {
			if set&(1<<h.rule) != 0 {
				continue
			}
			// Most candidates fail at their second byte: compare it inline when it is ASCII
			// before the full, folding comparison.
			if c, ok := asciiAt(s, i+1); ok && len(h.word) > 1 && s[i] < utf8.RuneSelf && lowerASCII(c) != h.word[1] {
				continue
			}
			if hasFoldPrefix(s[i:], h.word) {
				set |= 1 << h.rule
			}
		}
	}
	return set
}

// asciiAt returns s[i] when it is an ASCII byte.
func asciiAt(s string, i int) (byte, bool) {
	if i < len(s) && s[i] < utf8.RuneSelf {
		return s[i], true
	}
	return 0, false
}

// hasFoldPrefix: s starts with lower (lower-case ASCII) under Unicode simple case folding,
// the equivalence (?i) uses: K (U+212A, the Kelvin sign) is a k, ſ (U+017F) an s.
func hasFoldPrefix(s, lower string) bool {
	i := 0
	for j := 0; j < len(lower); j++ {
		if i >= len(s) {
			return false
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if lowerASCII(c) != lower[j] {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !foldsTo(r, rune(lower[j])) {
			return false
		}
		i += size
	}
	return true
}

// foldsTo reports whether r is in c's case-folding orbit.
func foldsTo(r, c rune) bool {
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return false
}
