// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package redact

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// sidecarRules are the shipped agent's rules, with their hints, as configs/sidecar.yaml has them.
var sidecarRules = shippedRules()

func shippedRules() []RuleConfig {
	raw, err := os.ReadFile("../../configs/sidecar.yaml")
	if err != nil {
		panic(err)
	}
	var cfg struct {
		Processors struct {
			MLSchema struct {
				Guard struct {
					Redact []struct {
						Pattern string   `json:"pattern"`
						Hints   []string `json:"hints"`
					} `json:"redact"`
				} `json:"guard"`
			} `json:"ml_schema"`
		} `json:"processors"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		panic(err)
	}
	var rules []RuleConfig
	for _, r := range cfg.Processors.MLSchema.Guard.Redact {
		rules = append(rules, RuleConfig{Pattern: r.Pattern, Hints: r.Hints})
	}
	if len(rules) == 0 {
		panic("configs/sidecar.yaml has no ml_schema guard.redact rules")
	}
	return rules
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
	r, err := New(sidecarRules, nil)
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
	withHints, _ := New(sidecarRules, nil)
	plain := bareRules()
	inputs := []string{"", "bearer", "to\u212Aen=12345678", "\u017Fecret: 'abcdefghij'", "api\u212Aey: abcdefghij", "BEAR\u212AR x",
		"\u212A\u212A\u212Atoken=12345678", "\xe2\x84token=12345678", "to\xe2\x84\xaaen=12345678", "BEARER x", "Bearer abc", "ApiKey: 12345678", "api-key=abcdefghij", "x-TOKEN := 'zzzzzzzzzz'",
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
	f.Add("to\u212Aen=12345678")       // the Kelvin sign: (?i) folds it to k
	f.Add("\u017Fecret: 'abcdefghij'") // long s folds to s
	f.Add("BEARER\u212A abc")
	withHints, _ := New(sidecarRules, nil)
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
	r, _ := New(sidecarRules, nil)
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

func TestSecretKeys(t *testing.T) {
	r, err := New(nil, []string{"api_key", "token", "secret", "password", "authorization", "cookie", "private_key"})
	if err != nil {
		t.Fatal(err)
	}
	secret := []string{
		"api_key", "apiKey", "ApiKey", "APIKey", "API_KEY", "api-key", "x-api-key", "X-API-Key", "apikey",
		"headers.x-api-key", "http.request.header.x-api-key", "token", "Token", "access_token", "accessToken",
		"refresh_token", "id_token", "X-Auth-Token", "OAuthToken", "AUTH_TOKEN", "client_secret", "clientSecret",
		"password", "db.password", "Authorization", "authorization", "Cookie", "set-cookie", "private_key", "privateKey",
		"token ", "_token_",
	}
	for _, k := range secret {
		if !r.SecretKey(k) {
			t.Errorf("%q is not recognised as a secret key", k)
		}
	}
	plain := []string{
		"", "tokens", "input_tokens", "token_count", "max_new_tokens", "tokenizer", "mytoken", "keyword", "monkey",
		"api_key_id", "secret_name", "password_hash", "cookie_consent_given", "key", "api", "request_id", "XAPIKey",
		"t\u00f6ken",
	}
	for _, k := range plain {
		if r.SecretKey(k) {
			t.Errorf("%q is taken for a secret key", k)
		}
	}
	if err := ValidateKeys([]string{"ok", "--"}); err == nil || !strings.Contains(err.Error(), "keys[1]") {
		t.Errorf("a key name without letters: %v", err)
	}
}

func TestSecretKeyDoesNotAllocate(t *testing.T) {
	r, _ := New(nil, []string{"api_key", "token"})
	if n := testing.AllocsPerRun(100, func() { _ = r.SecretKey("http.request.header.x-api-key") || r.SecretKey("model_name") }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkSecretKey(b *testing.B) {
	r, _ := New(nil, []string{"api_key", "token", "secret", "password", "authorization", "cookie"})
	keys := []string{"model_name", "latency_ms", "trace_id", "message", "level", "x-api-key"}
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			_ = r.SecretKey(k)
		}
	}
}
