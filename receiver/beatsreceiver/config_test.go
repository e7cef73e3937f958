// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	return testutil.ComponentConfig[*Config](t, NewFactory(), name)
}

func TestConfig(t *testing.T) {
	def := loadConfig(t, "")
	require.NoError(t, xconfmap.Validate(def))
	assert.Equal(t, createDefaultConfig(), def)
	assert.Equal(t, "127.0.0.1:5044", def.Endpoint, "Logstash's beats port, on loopback until told otherwise")

	withTLS := loadConfig(t, "tls")
	require.NoError(t, xconfmap.Validate(withTLS))
	require.NotNil(t, withTLS.TLS)
	assert.Equal(t, "/etc/otelcol-mlops/tls/beats-ca.crt", withTLS.TLS.ClientCAFile)
	assert.Equal(t, time.Minute, withTLS.ReadTimeout)

	assert.EqualError(t, xconfmap.Validate(loadConfig(t, "bad")), `endpoint: address 5044: missing port in address
max_window_size: must be positive
max_decompressed_size: must be at least max_event_size (1048576)
keepalive: must be positive (Beats close a connection that is silent for their timeout)`)
}
