// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

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
	assert.Equal(t, "default", cfg.Namespace)
	assert.Equal(t, DocumentIDAll, cfg.DocumentID)
	assert.Equal(t, legacyid.DefaultKeys, cfg.LegacyIDKeys, "the keys every component shares")
	assert.True(t, cfg.Summary)
	assert.Equal(t, cfg, testutil.ComponentConfig[*Config](t, NewFactory(), ""), "an empty section must equal the default")
}

func TestLoadConfig(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "custom")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, "prod", cfg.Namespace)
	assert.Equal(t, DocumentIDFiles, cfg.DocumentID)
	assert.Equal(t, []string{"trace_id", "correlation_id"}, cfg.LegacyIDKeys)
	assert.False(t, cfg.Summary)
}

func TestConfigErrors(t *testing.T) {
	assert.ErrorContains(t, xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "bad_namespace")), `namespace: "Prod-EU" must be lowercase without '-'`)
	assert.ErrorContains(t, xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "bad_document_id")), `document_id: "sometimes" is not one of all, files, none`)
}
