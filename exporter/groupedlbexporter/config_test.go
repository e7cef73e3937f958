// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestConfig(t *testing.T) {
	load := func(name string) *Config { return testutil.ComponentConfig[*Config](t, NewFactory(), name) }
	require.NoError(t, componenttest.CheckConfigStruct(createDefaultConfig()))
	static := load("static")
	require.NoError(t, xconfmap.Validate(static))
	assert.Equal(t, []string{"gw-1:4317", "gw-2:4317"}, static.Resolver.Static.Get().Hostnames)
	assert.True(t, static.Protocol.OTLP.ClientConfig.TLS.Insecure)
	assert.True(t, static.QueueOnFailure)
	dns := load("dns")
	require.NoError(t, xconfmap.Validate(dns))
	assert.Equal(t, 10*time.Second, dns.Resolver.DNS.Get().Interval)
	assert.ErrorContains(t, xconfmap.Validate(load("both")), "set one of static and dns")
	assert.ErrorContains(t, xconfmap.Validate(load("none")), "one of static and dns is required")
	assert.ErrorContains(t, xconfmap.Validate(load("empty_static")), "at least one endpoint")
}
