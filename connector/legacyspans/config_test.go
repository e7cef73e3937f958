// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestConfig(t *testing.T) {
	assert.Equal(t, testutil.DefaultConfig[*Config](t, NewFactory()), testutil.ComponentConfig[*Config](t, NewFactory(), ""))
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "incident")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, []Hop{{From: "nuxt-ui", To: "azure-function-api"}, {From: "azure-function-api", To: "ml-worker"}}, cfg.Hops)
	err := xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "bad"))
	require.Error(t, err)
	for _, want := range []string{"nothing selected", "span_name: must not be empty", "idle_timeout 2m0s is longer than max_duration 1m0s",
		"max_open_groups: must be at least 1", "hops[0]: from and to must be two different services", "hops[2]: worker already has a parent",
		"hops[3]: set exactly one of from (a service) and from_subscription", "hops[4]: to must name a service"} {
		assert.Contains(t, err.Error(), want)
	}
}
