// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package inorder

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/xconfmap"
	"go.opentelemetry.io/collector/pipeline"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestConfig(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, []pipeline.ID{
		pipeline.NewIDWithName(pipeline.SignalLogs, "elasticsearch"), pipeline.NewIDWithName(pipeline.SignalLogs, "derived"),
	}, cfg.Pipelines)

	for name, want := range map[string]string{
		"one":    "list at least two logs pipelines",
		"twice":  `"logs/elasticsearch" is listed twice`,
		"traces": `"traces/derived" is not a logs pipeline`,
	} {
		err := xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), name))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), want)
	}
	require.ErrorContains(t, xconfmap.Validate(NewFactory().CreateDefaultConfig()), "at least two", "the pipelines have no default")
}
