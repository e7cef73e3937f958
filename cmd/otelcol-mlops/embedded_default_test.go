// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestGivesConfig(t *testing.T) {
	for args, want := range map[string]bool{
		"otelcol-mlops":                              false,
		"otelcol-mlops validate":                     false,
		"otelcol-mlops --feature-gates x validate":   false,
		"otelcol-mlops --set processors::batch::x=2": false,
		"otelcol-mlops --config my.yaml":             true,
		"otelcol-mlops --config=my.yaml":             true,
		"otelcol-mlops validate --config my.yaml":    true,
		"otelcol-mlops --help":                       true,
		"otelcol-mlops --version":                    true,
	} {
		if got := givesConfig(strings.Fields(args)); got != want {
			t.Errorf("%s: givesConfig = %v, want %v", args, got, want)
		}
	}
	if !strings.HasPrefix(embeddedDefaultURI(), "yaml:") || len(embeddedDefaultURI()) < 100 {
		t.Errorf("the embedded default is not a yaml: URI holding configs/local.yaml")
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

func TestShutdownTimeoutSetting(t *testing.T) {
	for setting, want := range map[string]time.Duration{
		"": defaultShutdownTimeout, "0": 0, "none": 0, "90s": 90 * time.Second, "-5s": defaultShutdownTimeout, "soon": defaultShutdownTimeout,
	} {
		var said strings.Builder
		if got := shutdownTimeout(&said, setting); got != want {
			t.Errorf("%q: %s, want %s", setting, got, want)
		}
		if invalid := setting == "-5s" || setting == "soon"; invalid != strings.Contains(said.String(), shutdownTimeoutEnv) {
			t.Errorf("%q: said %q", setting, said.String())
		}
	}
}
