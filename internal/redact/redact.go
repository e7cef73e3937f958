// Package redact masks secrets in log values with regular expressions, running each
// expression only on values that contain one of its hint words: a byte scan for a few words
// costs far less than a case-insensitive regular expression over every value, and almost no
// log value holds a secret.
package redact

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Mask replaces what a rule matches, as contrib's redaction processor does.
const Mask = "****"

// RuleConfig is one rule: Pattern is a Go regular expression; Hints are words (ASCII,
// matched case-insensitively) one of which every match contains — "bearer" for a bearer
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

// Redactor applies rules; it is safe for concurrent use.
type Redactor struct {
	rules []rule
	// start marks the bytes a hint can begin with, both cases.
	start [256]bool
}

// Validate checks one rule as New would build it.
func (rc RuleConfig) Validate() error {
	_, err := New([]RuleConfig{rc})
	return err
}

// New compiles rules.
func New(rules []RuleConfig) (*Redactor, error) {
	r := &Redactor{}
	var errs []error
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
			for j := 0; j < len(h); j++ {
				if h[j] >= 0x80 {
					errs = append(errs, fmt.Errorf("%shints: %q: hints are ASCII words", at(i, len(rules)), h))
					break
				}
			}
			lower := strings.ToLower(h)
			ru.hints = append(ru.hints, lower)
			r.start[lower[0]] = true
			r.start[strings.ToUpper(lower[:1])[0]] = true
		}
		r.rules = append(r.rules, ru)
	}
	return r, errors.Join(errs...)
}

// at names rule i in an error, when there are several.
func at(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("[%d].", i)
}

// String returns s with every match of every rule masked, and how many were masked; s itself
// (no allocation) when nothing matched.
func (r *Redactor) String(s string) (string, int) {
	masked := 0
	for i := range r.rules {
		ru := &r.rules[i]
		if len(ru.hints) > 0 && !r.hinted(s, ru.hints) {
			continue
		}
		n := 0
		out := ru.re.ReplaceAllStringFunc(s, func(string) string { n++; return Mask })
		if n > 0 {
			s, masked = out, masked+n
		}
	}
	return s, masked
}

// hinted reports whether s contains one of hints, ASCII case-insensitively.
func (r *Redactor) hinted(s string, hints []string) bool {
	for i := 0; i < len(s); i++ {
		if !r.start[s[i]] {
			continue
		}
		for _, h := range hints {
			if hasFoldPrefix(s[i:], h) {
				return true
			}
		}
	}
	return false
}

// hasFoldPrefix: s starts with lower (lower case ASCII), ignoring the case of s.
func hasFoldPrefix(s, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for j := 0; j < len(lower); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[j] {
			return false
		}
	}
	return true
}
