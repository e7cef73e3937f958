package redact

import (
	"regexp"
	"strings"
	"testing"
)

// The sidecar's rules, with their hints.
var sidecarRules = []RuleConfig{
	{Pattern: `(?i)bearer [a-z0-9._~+/-]+=*`, Hints: []string{"bearer"}},
	{Pattern: `(?i)(api[_-]?key|token|secret)["']?\s*[:=]\s*["']?[a-z0-9._~+/-]{8,}`, Hints: []string{"api", "token", "secret"}},
}

// bareRules are the sidecar's rules without hints, as plain regular expressions.
func bareRules() []*regexp.Regexp {
	var plain []*regexp.Regexp
	for _, rc := range sidecarRules {
		plain = append(plain, regexp.MustCompile(rc.Pattern))
	}
	return plain
}

func TestMasksWhatTheRulesMatch(t *testing.T) {
	r, err := New(sidecarRules)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		`Authorization: Bearer eyJhbGciOi.J9.abc==`:          `Authorization: ****`,
		`calling with API_KEY=sk_live_1234567890abcdef done`: `calling with **** done`,
		`{"token": "abcdefgh12345678", "user": "x"}`:         `{"****", "user": "x"}`,
		`SECRET: 'hunter2hunter2'`:                           `****'`,
		`Starting processing for model: resnet50`:            `Starting processing for model: resnet50`,
		`token=short`:          `token=short`,
		`a bearer of bad news`: `a **** bad news`,
	} {
		got, _ := r.String(in)
		if got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// With hints, the result is exactly what the rules alone would give: the hints only skip
// values the rules cannot match.
func TestHintsChangeNothingButCost(t *testing.T) {
	withHints, _ := New(sidecarRules)
	plain := bareRules()
	inputs := []string{"", "bearer", "BEARER x", "Bearer abc", "ApiKey: 12345678", "api-key=abcdefghij", "x-TOKEN := 'zzzzzzzzzz'",
		"secret:" + strings.Repeat("a", 20), "nothing to see", "tok en=12345678", "SeCrEt = \"aaaaaaaaaaaaaaaa\""}
	for _, in := range inputs {
		want := in
		for _, re := range plain {
			want = re.ReplaceAllString(want, Mask)
		}
		if got, _ := withHints.String(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestRuleErrors(t *testing.T) {
	if err := (RuleConfig{Pattern: "("}).Validate(); err == nil {
		t.Error("a bad pattern is accepted")
	}
	if err := (RuleConfig{Pattern: "x", Hints: []string{""}}).Validate(); err == nil {
		t.Error("an empty hint is accepted")
	}
	if err := (RuleConfig{Pattern: "x", Hints: []string{"clé"}}).Validate(); err == nil {
		t.Error("a non-ASCII hint is accepted")
	}
}

func FuzzHintsChangeNothing(f *testing.F) {
	f.Add("Authorization: Bearer abc.def")
	f.Add("api_key=1234567890")
	withHints, _ := New(sidecarRules)
	plain := bareRules()
	f.Fuzz(func(t *testing.T, in string) {
		want := in
		for _, re := range plain {
			want = re.ReplaceAllString(want, Mask)
		}
		if got, _ := withHints.String(in); got != want {
			t.Fatalf("%q: got %q, want %q", in, got, want)
		}
	})
}

func BenchmarkRedact(b *testing.B) {
	r, _ := New(sidecarRules)
	plain := bareRules()
	value := `2024-05-14 10:03:22,501 INFO [gpu-worker-7] X-Trace-ID=4bf92f35-77b3-4da6-a3ce-929d0e0e4736 Starting processing for model: resnet50`
	b.Run("hints", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = r.String(value)
		}
	})
	b.Run("regexes_only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, re := range plain {
				_ = re.MatchString(value)
			}
		}
	})
}
