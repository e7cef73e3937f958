// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package backendcheckextension

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
	assert.Equal(t, &Config{
		Interval: 15 * time.Second, Timeout: 5 * time.Second, RemindInterval: 5 * time.Minute,
		Backends: map[string][]string{"elasticsearch": {"https://127.0.0.1:9200"}},
	}, loadConfig(t, ""))
	all := loadConfig(t, "all")
	require.NoError(t, xconfmap.Validate(all))
	assert.Equal(t, "127.0.0.1:13134", all.Endpoint)
	assert.Zero(t, all.RemindInterval)
}

func TestConfigErrors(t *testing.T) {
	for name, want := range map[string]string{
		"no_backends":   "backends: list at least one backend's address to probe",
		"only_disabled": "backends: list at least one backend's address to probe",
		"bad_timeout":   "timeout: must be positive and at most interval (5s)",
		"bad_endpoints": `backends::elasticsearch[0]: "ftp://es:21": scheme "ftp" is not http or https
backends::elasticsearch[1]: "es-without-port" is neither host:port nor an http(s) URL
backends::elasticsearch[2]: must not be empty`,
	} {
		t.Run(name, func(t *testing.T) {
			assert.EqualError(t, xconfmap.Validate(loadConfig(t, name)), want)
		})
	}
}

func TestDialAddress(t *testing.T) {
	for endpoint, want := range map[string]string{
		"https://127.0.0.1:9200":        "127.0.0.1:9200",
		"https://es.example":            "es.example:443",
		"http://es.example/":            "es.example:80",
		"http://[::1]:9200":             "[::1]:9200",
		"jaeger:4317":                   "jaeger:4317",
		"127.0.0.1:14317":               "127.0.0.1:14317",
		"https://user@es.example:9243/": "es.example:9243",
	} {
		got, err := dialAddress(endpoint)
		if assert.NoError(t, err, endpoint) {
			assert.Equal(t, want, got, endpoint)
		}
	}
}
