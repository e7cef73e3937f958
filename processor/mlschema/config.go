// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-mlops/otelcol-mlops/internal/redact"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Actions for records that break the schema.
const (
	ActionTag  = "tag"
	ActionDrop = "drop"
)

// Config is the ml_schema processor's configuration.
type Config struct {
	Schema    SchemaConfig    `mapstructure:"schema"`
	Normalize NormalizeConfig `mapstructure:"normalize"`
	Enrich    EnrichConfig    `mapstructure:"enrich"`
	Anomaly   AnomalyConfig   `mapstructure:"anomaly"`
	Guard     GuardConfig     `mapstructure:"guard"`
	Sampling  SamplingConfig  `mapstructure:"sampling"`

	_ struct{}
}

// SchemaConfig selects the contract records are validated against.
type SchemaConfig struct {
	// UseDefault starts from the built-in contract (schema_version 2.1).
	UseDefault bool `mapstructure:"use_default"`
	// Version replaces the version assumed for records without schema_version.
	Version string `mapstructure:"version"`
	// Common fields are added to the contract's common fields.
	Common []schema.Field `mapstructure:"common"`
	// EventTypes are added; one named like a built-in type replaces it.
	EventTypes []schema.EventType `mapstructure:"event_types"`
	// Action is what happens to a record that breaks the contract: tag (default) or drop.
	Action string `mapstructure:"action"`
}

// NormalizeConfig governs the normalisation every record gets.
type NormalizeConfig struct {
	// ParseJSONBody turns a string body holding a JSON object into a map body.
	ParseJSONBody bool `mapstructure:"parse_json_body"`
	// TimestampFields are read, first found wins, into the record's timestamp.
	TimestampFields []string `mapstructure:"timestamp_fields"`
	// DefaultTimezone is the IANA zone zone-less timestamps are read in.
	DefaultTimezone string `mapstructure:"default_timezone"`
	// SeverityFields are read, first found wins, when the record has no severity.
	SeverityFields []string `mapstructure:"severity_fields"`
}

// EnrichConfig governs the derived fields of inference records.
type EnrichConfig struct {
	// HighLatencyMS tags records slower than this high_latency; ModelLatencyMS overrides it
	// per model_metadata.model_name.
	HighLatencyMS  float64            `mapstructure:"high_latency_ms"`
	ModelLatencyMS map[string]float64 `mapstructure:"model_latency_ms"`
	// ConfidenceThreshold is used for items_above_threshold when the record names none.
	ConfidenceThreshold float64 `mapstructure:"confidence_threshold"`
	// LowConfidenceItems: fewer items above the threshold set low_confidence_warning.
	LowConfidenceItems int `mapstructure:"low_confidence_items"`
	// Environment and Cluster are written as deployment.environment / deployment.cluster;
	// empty takes the resource's deployment.environment.name / k8s.cluster.name.
	Environment string `mapstructure:"environment"`
	Cluster     string `mapstructure:"cluster"`
}

// AnomalyConfig governs the streaming anomaly flags.
type AnomalyConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Alpha is the weight of a new observation in the exponentially weighted mean/variance.
	Alpha float64 `mapstructure:"alpha"`
	// WarmUp observations of a series are needed before it flags anything.
	WarmUp int `mapstructure:"warm_up"`
	// Threshold is k: a record beyond k standard deviations is anomalous.
	Threshold float64 `mapstructure:"threshold"`
	// MaxSeries bounds the (model, version, variant) series kept; the least recently seen goes.
	MaxSeries int `mapstructure:"max_series"`
}

// GuardConfig governs cardinality and size.
type GuardConfig struct {
	// HashFields are replaced by a keyed HMAC-SHA256 of their value.
	HashFields []string `mapstructure:"hash_fields"`
	// HashKey is the HMAC key; required when HashFields is set. Take it from the environment.
	HashKey configopaque.String `mapstructure:"hash_key"`
	// CohortBuckets > 0 adds <field>_cohort, a bucket in [0, CohortBuckets) of the hash.
	CohortBuckets int `mapstructure:"cohort_buckets"`
	// MaxArrayLength: longer arrays are replaced by {hash, dimension, l2_norm}.
	MaxArrayLength int `mapstructure:"max_array_length"`
	// MaxDepth caps nesting; deeper values are kept as JSON text.
	MaxDepth int `mapstructure:"max_depth"`
	// MaxStringLength caps string values (bytes, cut at a UTF-8 boundary).
	MaxStringLength int `mapstructure:"max_string_length"`
	// RedactKeys masks, with ****, the whole value of every field whose name ends with one of
	// these words, ignoring case and separators ("api_key" matches apiKey, X-API-Key and
	// headers.x-api-key): in attributes, body fields at any depth and maps inside arrays.
	RedactKeys []string `mapstructure:"redact_keys"`
	// Redact masks what each rule's regular expression matches in every string value of the
	// record (attributes, body fields, a text body), run only on values holding one of its
	// hint words (internal/redact).
	Redact []redact.RuleConfig `mapstructure:"redact"`
}

// SamplingConfig governs adaptive sampling.
type SamplingConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Fraction of ordinary records kept; errors, invalid, slow and anomalous are always kept.
	Fraction float64 `mapstructure:"fraction"`
}

func createDefaultConfig() *Config {
	return &Config{
		Schema: SchemaConfig{UseDefault: true, Action: ActionTag},
		Normalize: NormalizeConfig{
			ParseJSONBody:   true,
			TimestampFields: []string{"timestamp", "@timestamp", "time", "asctime"},
			DefaultTimezone: "UTC",
			SeverityFields:  []string{"level", "log_level", "levelname", "severity"},
		},
		Enrich: EnrichConfig{
			HighLatencyMS:       500,
			ConfidenceThreshold: 0.5,
			LowConfidenceItems:  2,
		},
		Anomaly: AnomalyConfig{Enabled: true, Alpha: 0.05, WarmUp: 30, Threshold: 3, MaxSeries: 10000},
		Guard:   GuardConfig{MaxArrayLength: 256, MaxDepth: defaultMaxDepth, MaxStringLength: 32 * 1024},
		Sampling: SamplingConfig{
			Fraction: 0.05,
		},
	}
}

// schema builds the contract the processor validates against.
func (cfg *Config) schema() schema.Schema {
	var s schema.Schema
	if cfg.Schema.UseDefault {
		s = schema.Default()
	}
	s = schema.Merge(s, schema.Schema{Version: cfg.Schema.Version, Common: cfg.Schema.Common, EventTypes: cfg.Schema.EventTypes})
	if s.Version == "" {
		s.Version = schema.DefaultVersion
	}
	return s
}

// Validate checks the configuration at start-up.
func (cfg *Config) Validate() error {
	var errs []error
	contract := cfg.schema()
	if err := contract.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("schema: %w", err))
	}
	for i, rule := range cfg.Guard.Redact {
		if err := rule.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("guard.redact[%d].%w", i, err))
		}
	}
	if err := redact.ValidateKeys(cfg.Guard.RedactKeys); err != nil {
		errs = append(errs, fmt.Errorf("guard.redact_%w", err))
	}
	if cfg.Schema.Action != ActionTag && cfg.Schema.Action != ActionDrop {
		errs = append(errs, fmt.Errorf("schema.action: %q is not %s or %s", cfg.Schema.Action, ActionTag, ActionDrop))
	}
	if _, err := time.LoadLocation(cfg.Normalize.DefaultTimezone); err != nil {
		errs = append(errs, fmt.Errorf("normalize.default_timezone: %w", err))
	}
	if cfg.Enrich.HighLatencyMS <= 0 {
		errs = append(errs, errors.New("enrich.high_latency_ms: must be positive"))
	}
	for model, ms := range cfg.Enrich.ModelLatencyMS {
		if ms <= 0 {
			errs = append(errs, fmt.Errorf("enrich.model_latency_ms[%s]: must be positive", model))
		}
	}
	if cfg.Enrich.ConfidenceThreshold < 0 || cfg.Enrich.ConfidenceThreshold > 1 {
		errs = append(errs, errors.New("enrich.confidence_threshold: must be within [0, 1]"))
	}
	if cfg.Anomaly.Enabled {
		if cfg.Anomaly.Alpha <= 0 || cfg.Anomaly.Alpha >= 1 {
			errs = append(errs, errors.New("anomaly.alpha: must be within (0, 1)"))
		}
		if cfg.Anomaly.Threshold <= 0 {
			errs = append(errs, errors.New("anomaly.threshold: must be positive"))
		}
		if cfg.Anomaly.WarmUp < 2 {
			errs = append(errs, errors.New("anomaly.warm_up: must be at least 2"))
		}
		if cfg.Anomaly.MaxSeries < 1 {
			errs = append(errs, errors.New("anomaly.max_series: must be at least 1"))
		}
	}
	if len(cfg.Guard.HashFields) > 0 && cfg.Guard.HashKey == "" {
		errs = append(errs, errors.New("guard.hash_key: identifier hashing is on (guard.hash_fields) but the key is empty; set it, e.g. hash_key: ${env:ML_SCHEMA_HASH_KEY}"))
	}
	if cfg.Guard.CohortBuckets < 0 {
		errs = append(errs, errors.New("guard.cohort_buckets: must not be negative"))
	}
	if cfg.Guard.MaxArrayLength < 1 || cfg.Guard.MaxDepth < 1 || cfg.Guard.MaxStringLength < 16 {
		errs = append(errs, errors.New("guard: max_array_length and max_depth must be at least 1, max_string_length at least 16"))
	}
	if cfg.Sampling.Enabled && (cfg.Sampling.Fraction <= 0 || cfg.Sampling.Fraction > 1) {
		errs = append(errs, errors.New("sampling.fraction: must be within (0, 1]"))
	}
	return errors.Join(errs...)
}
