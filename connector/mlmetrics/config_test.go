// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestConfig(t *testing.T) {
	assert.Equal(t, testutil.DefaultConfig[*Config](t, NewFactory()), testutil.ComponentConfig[*Config](t, NewFactory(), ""))
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "custom")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, Delta, cfg.Temporality)
	assert.True(t, cfg.ExponentialLatency.Enabled)
	err := xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "bad"))
	require.Error(t, err)
	for _, want := range []string{"dimensions[0]: needs a name and a field", `dimensions[2]: "b" appears twice`, "max_series: must be at least 1",
		"latency_buckets_ms: must be a non-empty, strictly increasing list", `temporality: "sometimes"`, "flush_interval: must be positive"} {
		assert.Contains(t, err.Error(), want)
	}
}
