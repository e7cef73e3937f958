// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/redact"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

const benchBatch = 1000

func benchInput(b testing.TB, sh shape) plog.Logs {
	ld, recs := newLogs("recommendation-model-prod")
	line := seedRecord(b, "01_inference_seed.json")
	for range benchBatch {
		appendRecord(b, recs, line, sh)
	}
	return ld
}

func newBenchProcessor(b *testing.B) consumer.Logs {
	return testutil.StartLogsProcessor(b, NewFactory(), createDefaultConfig(), consumertest.NewNop())
}

// ottlSubset is what the transform processor can express of this processor on the seed
// record: the seed's Logstash required-field check, the mean confidence (only for a known
// array length: OTTL has no aggregation over lists) and the high-latency tag.
var ottlSubset = map[string]any{
	"error_mode": "ignore",
	"log_statements": []any{map[string]any{
		"context": "log",
		"statements": []any{
			`set(attributes["tags"], []) where attributes["tags"] == nil`,
			`append(attributes["tags"], "invalid_schema") where attributes["request_id"] == nil or attributes["model_metadata"]["model_version"] == nil`,
			`set(attributes["validation_error"], "Missing required fields") where attributes["request_id"] == nil or attributes["model_metadata"]["model_version"] == nil`,
			`set(attributes["output"]["mean_confidence"], (attributes["output"]["confidence_scores"][0] + attributes["output"]["confidence_scores"][1] + attributes["output"]["confidence_scores"][2] + attributes["output"]["confidence_scores"][3] + attributes["output"]["confidence_scores"][4]) / 5.0) where Len(attributes["output"]["confidence_scores"]) == 5`,
			`append(attributes["tags"], "high_latency") where attributes["inference_metrics"]["latency_ms"] > 500`,
		},
	}},
}

func newOTTLSubset(b testing.TB) consumer.Logs {
	return testutil.NewTransformLogs(b, ottlSubset, consumertest.NewNop())
}

// BenchmarkSeedInferenceRecord: the full processor on the seed's inference record in each
// shape, and the OTTL subset on its best shape (attributes), in the same run.
func BenchmarkSeedInferenceRecord(b *testing.B) {
	b.Run("ml_schema/attributes", func(b *testing.B) { testutil.BenchLogs(b, newBenchProcessor(b), benchInput(b, attributes)) })
	b.Run("ml_schema/map_body", func(b *testing.B) { testutil.BenchLogs(b, newBenchProcessor(b), benchInput(b, mapBody)) })
	b.Run("ml_schema/json_body", func(b *testing.B) { testutil.BenchLogs(b, newBenchProcessor(b), benchInput(b, jsonBody)) })
	b.Run("ottl_subset/attributes", func(b *testing.B) { testutil.BenchLogs(b, newOTTLSubset(b), benchInput(b, attributes)) })
}

// The OTTL subset must really compute what the comparison claims.
func TestOTTLSubsetComputesTheSameFields(t *testing.T) {
	sink := &consumertest.LogsSink{}
	p := testutil.NewTransformLogs(t, ottlSubset, sink)
	ld, recs := newLogs("s")
	appendRecord(t, recs, seedRecord(t, "01_inference_seed.json"), attributes)
	appendRecord(t, recs, seedRecord(t, "02_inference_broken_contract.json"), attributes)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	out := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	assertNum(t, out.At(0), "output.mean_confidence", 0.748)
	require.Equal(t, []string{"invalid_schema"}, tags(out.At(1)), "latency_ms is a string there: OTTL cannot compare it")
}

// sidecarKeys and sidecarRules are configs/sidecar.yaml's redaction settings.
var (
	sidecarKeys  = []string{"api_key", "token", "secret", "password", "passwd", "authorization", "cookie", "private_key", "access_key", "credentials"}
	sidecarRules = []redact.RuleConfig{
		{Pattern: `(?i)bearer [a-z0-9._~+/-]+=*`, Hints: []string{"bearer"}},
		{Pattern: `(?i)(api[_-]?key|token|secret)["']?\s*[:=]\s*["']?[a-z0-9._~+/-]{8,}`, Hints: []string{"api", "token", "secret"}},
		{Pattern: `(?i)passw(or)?d["']?\s*[:=]\s*["']?[^\s"'&,;]+`, Hints: []string{"passw"}},
	}
)

// contribRedaction is contrib's redaction processor set up to do what ml_schema's guard does
// with the sidecar's settings: every key kept, values under secret key names masked, the
// patterns masked in every value.
func contribRedaction(b testing.TB) consumer.Logs {
	f := redactionprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*redactionprocessor.Config)
	cfg.AllowAllKeys = true
	cfg.Summary = "silent"
	cfg.BlockedKeyPatterns = []string{`(?i)(api[-_.]?key|token|secret|passw(or)?d|authorization|cookie|private[-_.]?key|access[-_.]?key|credentials)$`}
	for _, r := range sidecarRules {
		cfg.BlockedValues = append(cfg.BlockedValues, r.Pattern)
	}
	return testutil.StartLogsProcessor(b, f, cfg, consumertest.NewNop())
}

// BenchmarkRedaction: what redaction adds to ml_schema (the same processor with and without
// the sidecar's redact_keys and redact rules) next to contrib's redaction processor doing the
// same masking alone, on the seed's inference record as a map body.
func BenchmarkRedaction(b *testing.B) {
	withRedaction := createDefaultConfig()
	withRedaction.Guard.RedactKeys = sidecarKeys
	withRedaction.Guard.Redact = sidecarRules
	b.Run("ml_schema/without", func(b *testing.B) {
		testutil.BenchLogs(b, testutil.StartLogsProcessor(b, NewFactory(), createDefaultConfig(), consumertest.NewNop()), benchInput(b, mapBody))
	})
	b.Run("ml_schema/with_redaction", func(b *testing.B) {
		testutil.BenchLogs(b, testutil.StartLogsProcessor(b, NewFactory(), withRedaction, consumertest.NewNop()), benchInput(b, mapBody))
	})
	b.Run("contrib_redaction", func(b *testing.B) { testutil.BenchLogs(b, contribRedaction(b), benchInput(b, mapBody)) })
}

// BenchmarkAgent is the shipped agent's ml_schema (configs/sidecar.yaml) on the seed's
// inference line as filelog reads it: as shipped (the line stays text and is walked for
// secrets) next to the same settings parsing the line into a map body first.
func BenchmarkAgent(b *testing.B) {
	shipped := shippedConfig(b, "sidecar.yaml", nil)
	parsing := shippedConfig(b, "sidecar.yaml", func(c *Config) { c.Normalize.ParseJSONBody = true })
	for name, cfg := range map[string]*Config{"text": shipped, "parsed": parsing} {
		b.Run(name, func(b *testing.B) {
			testutil.BenchLogs(b, testutil.StartLogsProcessor(b, NewFactory(), cfg, consumertest.NewNop()), benchInput(b, jsonBody))
		})
	}
}
