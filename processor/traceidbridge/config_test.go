// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

func TestDefaultConfig(t *testing.T) {
	cfg := testutil.DefaultConfig[*Config](t, NewFactory())
	assert.Equal(t, legacyid.DefaultKeys, cfg.Keys, "the keys every component shares")
	assert.Len(t, cfg.sources(), 4*len(legacyid.DefaultKeys))
	assert.Equal(t, SourceConfig{From: FromAttribute, Key: "trace_id"}, cfg.sources()[0])
	assert.Equal(t, []string{"NO_TRACE_ID", "N/A", "-", "null", "none", "undefined"}, cfg.NoIDValues)
	assert.False(t, cfg.Override)
	assert.False(t, cfg.TagMissing)
	assert.Equal(t, cfg, testutil.ComponentConfig[*Config](t, NewFactory(), ""), "an empty section must equal the default")
}

func TestLoadConfig(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "custom")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, "tenant-a", cfg.Namespace)
	assert.Equal(t, []string{"NO_TRACE_ID", "worker-startup"}, cfg.NoIDValues)
	assert.True(t, cfg.TagMissing)
	require.Len(t, cfg.Sources, 5)
	assert.Equal(t, SourceConfig{From: FromTextBody, Pattern: `"trace_id":\s*"([^"]+)"`}, cfg.Sources[3])

	assert.True(t, testutil.ComponentConfig[*Config](t, NewFactory(), "override").Override)

	keys := testutil.ComponentConfig[*Config](t, NewFactory(), "keys")
	require.NoError(t, xconfmap.Validate(keys))
	assert.Equal(t, DefaultSources([]string{"job_id", "X-Request-ID"}), keys.sources(), "keys without sources: the default sources over them")
}

func TestConfigErrors(t *testing.T) {
	for name, want := range map[string]string{
		"bad_from":      `sources[0].from: "header" is not one of`,
		"bad_pattern":   "sources[0].pattern: needs exactly one capture group, has 0",
		"bad_text_body": "sources[0].key: text_body searches the whole body and takes no key",
		"no_sources":    "sources: at least one source (or, without sources, one key) is required",
	} {
		t.Run(name, func(t *testing.T) {
			err := xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), name))
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}
