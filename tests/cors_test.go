// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package tests

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// preflight sends the request a browser sends before exporting OTLP/JSON from origin and
// returns the answer's headers.
func preflight(t *testing.T, endpoint, path, origin string) http.Header {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, "http://"+endpoint+path, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp.Header
}

// A web page exports to the gateway only from the origins GATEWAY_OTLP_CORS_ORIGINS lists:
// their preflight is answered with CORS headers, any other origin's (and every origin's when
// the variable is unset, the default) gets none, so the browser sends nothing.
func TestGatewayOTLPHTTPAllowsOnlyConfiguredOrigins(t *testing.T) {
	es := startStandin(t)
	const app = "https://app.example.com"

	t.Run("default: no origin", func(t *testing.T) {
		g := startFaultGatewayWith(t, es, t.TempDir(), nil)
		defer func() { _ = g.Stop(20 * time.Second) }()
		for _, path := range []string{"/v1/traces", "/v1/logs"} {
			assert.Empty(t, preflight(t, g.OTLPHTTP, path, app).Get("Access-Control-Allow-Origin"), path)
		}
	})

	t.Run("configured origins", func(t *testing.T) {
		g := startFaultGatewayWith(t, es, t.TempDir(), map[string]string{"GATEWAY_OTLP_CORS_ORIGINS": "[" + app + ", http://localhost:3000]"})
		defer func() { _ = g.Stop(20 * time.Second) }()
		for _, path := range []string{"/v1/traces", "/v1/logs"} {
			h := preflight(t, g.OTLPHTTP, path, app)
			assert.Equal(t, app, h.Get("Access-Control-Allow-Origin"), path)
			assert.Contains(t, strings.ToLower(h.Get("Access-Control-Allow-Headers")), "content-type", path)
			assert.Equal(t, "http://localhost:3000", preflight(t, g.OTLPHTTP, path, "http://localhost:3000").Get("Access-Control-Allow-Origin"))
			for _, other := range []string{"https://evil.example", "https://app.example.com.evil.example", "null", "http://app.example.com"} {
				assert.Empty(t, preflight(t, g.OTLPHTTP, path, other).Get("Access-Control-Allow-Origin"), "%s from %s", path, other)
			}
		}
		// The export itself, as the OTLP/HTTP JSON exporter of a page sends it.
		req, err := http.NewRequest(http.MethodPost, "http://"+g.OTLPHTTP+"/v1/traces", strings.NewReader(`{"resourceSpans":[]}`))
		require.NoError(t, err)
		req.Header.Set("Origin", app)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, app, resp.Header.Get("Access-Control-Allow-Origin"))
	})
}
