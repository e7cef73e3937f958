// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// Where a source looks for a legacy ID.
const (
	FromAttribute         = "attribute"          // the record's, span's or data point's attributes
	FromResourceAttribute = "resource_attribute" // the resource's attributes
	FromBody              = "body"               // a field of a map body (logs)
	FromJSONBody          = "json_body"          // a field of a string body holding a JSON object (logs)
	FromTextBody          = "text_body"          // a string body searched with pattern (logs; no key)
)

// SourceConfig names one place to look for a legacy ID.
type SourceConfig struct {
	// From is attribute, resource_attribute, body, json_body or text_body.
	From string `mapstructure:"from"`
	// Key is the attribute key, or the dotted field path inside the body (none for text_body).
	Key string `mapstructure:"key"`
	// Pattern, when set, is a regular expression with one capture group that extracts the ID
	// from a value that wraps it in text ("job xyz-123 failed").
	Pattern string `mapstructure:"pattern"`
}

// Config is the trace_id_bridge processor's configuration.
type Config struct {
	// Settings are the mapping's keys, namespace and no-ID values, shared with the pubsub_trace
	// receiver and the xtraceid propagator (pkg/legacyid).
	legacyid.Settings `mapstructure:",squash"`
	// Sources are tried in order; the first that yields an ID wins. Unset, they are the keys
	// looked for as record attributes, map body fields, JSON body fields, then resource
	// attributes (DefaultSources).
	Sources []SourceConfig `mapstructure:"sources"`
	// Override replaces a trace ID the record already has (logs) or moves spans into the
	// mapped trace (traces) instead of linking them to it.
	Override bool `mapstructure:"override"`
	// TagMissing sets trace.missing=true on log records that have no trace ID and no legacy ID.
	TagMissing bool `mapstructure:"tag_missing"`

	_ struct{} // prevent unkeyed literals
}

// DefaultSources looks for keys as record attributes, then map body fields, then JSON body
// fields, then resource attributes.
func DefaultSources(keys []string) []SourceConfig {
	kinds := []string{FromAttribute, FromBody, FromJSONBody, FromResourceAttribute}
	out := make([]SourceConfig, 0, len(kinds)*len(keys))
	for _, from := range kinds {
		for _, key := range keys {
			out = append(out, SourceConfig{From: from, Key: key})
		}
	}
	return out
}

// sources returns the configured sources, or the default ones over the keys.
func (cfg *Config) sources() []SourceConfig {
	if cfg.Sources != nil {
		return cfg.Sources
	}
	return DefaultSources(cfg.Keys)
}

func createDefaultConfig() *Config {
	return &Config{Settings: legacyid.DefaultSettings()}
}

// Validate checks the configuration at start-up.
func (cfg *Config) Validate() error {
	if len(cfg.sources()) == 0 {
		return errors.New("sources: at least one source (or, without sources, one key) is required")
	}
	var errs []error
	for i, src := range cfg.sources() {
		switch src.From {
		case FromAttribute, FromResourceAttribute, FromBody, FromJSONBody:
			if src.Key == "" {
				errs = append(errs, fmt.Errorf("sources[%d].key: must not be empty", i))
			}
		case FromTextBody:
			if src.Key != "" {
				errs = append(errs, fmt.Errorf("sources[%d].key: %s searches the whole body and takes no key", i, FromTextBody))
			}
			if src.Pattern == "" {
				errs = append(errs, fmt.Errorf("sources[%d].pattern: %s needs a pattern with one capture group", i, FromTextBody))
			}
		default:
			errs = append(errs, fmt.Errorf("sources[%d].from: %q is not one of %s, %s, %s, %s, %s",
				i, src.From, FromAttribute, FromResourceAttribute, FromBody, FromJSONBody, FromTextBody))
		}
		if src.Pattern != "" {
			re, err := regexp.Compile(src.Pattern)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("sources[%d].pattern: %w", i, err))
			case re.NumSubexp() != 1:
				errs = append(errs, fmt.Errorf("sources[%d].pattern: needs exactly one capture group, has %d", i, re.NumSubexp()))
			}
		}
	}
	return errors.Join(errs...)
}
