package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestWithEmbeddedDefault(t *testing.T) {
	cases := []struct {
		args     []string
		embedded bool
	}{
		{[]string{"otelcol-mlops"}, true},
		{[]string{"otelcol-mlops", "validate"}, true},
		{[]string{"otelcol-mlops", "--feature-gates", "x", "validate"}, true},
		{[]string{"otelcol-mlops", "--set", "processors::batch::timeout=2s"}, true},
		{[]string{"otelcol-mlops", "--config", "my.yaml"}, false},
		{[]string{"otelcol-mlops", "--config=my.yaml"}, false},
		{[]string{"otelcol-mlops", "validate", "--config", "my.yaml"}, false},
		{[]string{"otelcol-mlops", "components"}, false},
		{[]string{"otelcol-mlops", "--help"}, false},
		{[]string{"otelcol-mlops", "--version"}, false},
	}
	for _, c := range cases {
		out, embedded := withEmbeddedDefault(c.args)
		if embedded != c.embedded {
			t.Errorf("%v: embedded = %v, want %v", c.args, embedded, c.embedded)
		}
		if embedded && !strings.HasPrefix(out[len(out)-1], "--config=yaml:") {
			t.Errorf("%v: no embedded config appended: %v", c.args, out)
		}
		if !embedded && len(out) != len(c.args) {
			t.Errorf("%v: arguments changed: %v", c.args, out)
		}
	}
}

func TestAnnounceNamesEveryOutput(t *testing.T) {
	var b bytes.Buffer
	announceEmbeddedDefault(&b, "/var/lib/mlops")
	for _, want := range []string{"/var/lib/mlops/logs.jsonl", "/var/lib/mlops/traces.jsonl", "/var/lib/mlops/metrics.jsonl", "127.0.0.1:4317", "127.0.0.1:4318", "127.0.0.1:8889", "127.0.0.1:13133"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("start-up message lacks %s", want)
		}
	}
}
