// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

func TestDefaultConfig(t *testing.T) {
	cfg := testutil.DefaultConfig[*Config](t, NewFactory())
	assert.Equal(t, cfg, testutil.ComponentConfig[*Config](t, NewFactory(), ""))
	assert.Equal(t, ActionTag, cfg.Schema.Action)
	assert.False(t, cfg.Sampling.Enabled, "sampling is off by default")
	s := cfg.schema()
	assert.Equal(t, schema.DefaultVersion, s.Version)
	assert.Len(t, s.EventTypes, 4)
}

func TestCustomConfig(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "custom")
	require.NoError(t, xconfmap.Validate(cfg))
	s := cfg.schema()
	assert.Equal(t, "2.0", s.Version)
	require.Len(t, s.EventTypes, 5)
	assert.Equal(t, "feature_store", s.EventTypes[4].Name)
	assert.Equal(t, []string{"users", "items"}, s.EventTypes[4].Fields[0].Enum)
	assert.Equal(t, 1200.0, cfg.Enrich.ModelLatencyMS["bert-large"])
	assert.Equal(t, "test-key-not-secret", string(cfg.Guard.HashKey))
}

func TestConfigErrors(t *testing.T) {
	err := xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "no_key"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "guard.hash_key: identifier hashing is on")

	err = xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "bad"))
	require.Error(t, err)
	for _, want := range []string{
		`schema.action: "quarantine" is not tag or drop`,
		`kind: "batch" is not one of inference, training, other`,
		`type: "decimal" is not one of`,
		"min/max apply to int, float and float_array fields, not string",
		"normalize.default_timezone",
		"sampling.fraction: must be within (0, 1]",
		"guard.redact[0].pattern: error parsing regexp",
		"guard.redact[1].hints: an empty hint",
		`guard.redact_keys[1]: "--" has no letter or digit`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}
