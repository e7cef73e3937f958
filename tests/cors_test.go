// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
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

// startBrowserGateway starts the gateway with configs/gateway-browser.yaml for origins.
func startBrowserGateway(t *testing.T, es *esstandin.Server, origins string) *processes.Gateway {
	t.Helper()
	env := map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": "127.0.0.1:1", "JAEGER_INSECURE": "true",
		"GATEWAY_OTLP_CORS_ORIGINS": origins,
	}
	g, err := processes.StartGateway(collectortest.RepoRoot(t), collectortest.Binary(t), env, filepath.Join(collectortest.RepoRoot(t), "configs", "gateway-browser.yaml"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	return g
}

// A web page exports to the gateway only from the origins GATEWAY_OTLP_CORS_ORIGINS lists,
// on the browser endpoint (configs/gateway-browser.yaml): their preflight is answered with
// CORS headers, any other origin's gets none, so the browser sends nothing; the agents' OTLP
// endpoint answers no browser at all.
func TestGatewayOTLPHTTPAllowsOnlyConfiguredOrigins(t *testing.T) {
	es := startStandin(t)
	const app = "https://app.example.com"

	t.Run("the agents' endpoint: no origin", func(t *testing.T) {
		g := startBrowserGateway(t, es, "["+app+"]")
		for _, path := range []string{"/v1/traces", "/v1/logs"} {
			assert.Empty(t, preflight(t, g.OTLPHTTP, path, app).Get("Access-Control-Allow-Origin"), path)
		}
	})

	t.Run("configured origins", func(t *testing.T) {
		g := startBrowserGateway(t, es, "["+app+", http://localhost:3000]")
		g.OTLPHTTP = g.BrowserOTLP
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

// post sends body to the gateway's OTLP/HTTP path from the allowed web origin and returns
// the status code.
func post(t *testing.T, endpoint, path, contentType string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+endpoint+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

// What a public, browser-facing OTLP/HTTP endpoint receives from anyone: each hostile request
// is refused with a client error, none crashes or wedges the gateway, a flood of preflights is
// answered, and a page's valid export sent afterwards is indexed.
func TestPublicOTLPHTTPEndpointRefusesHostileInput(t *testing.T) {
	es := startStandin(t)
	g := startBrowserGateway(t, es, "[https://app.example.com]")
	g.OTLPHTTP = g.BrowserOTLP

	oversize := append([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"`), bytes.Repeat([]byte("x"), 5<<20)...)
	oversize = append(oversize, []byte(`"}}]}]}]}`)...)
	cases := []struct {
		name, path, contentType string
		body                    []byte
		want                    int
	}{
		{"malformed JSON", "/v1/logs", "application/json", []byte(`{"resourceLogs":[{`), http.StatusBadRequest},
		{"JSON of the wrong shape", "/v1/traces", "application/json", []byte(`{"resourceSpans":{"not":"a list"}}`), http.StatusBadRequest},
		{"protobuf garbage", "/v1/logs", "application/x-protobuf", bytes.Repeat([]byte{0xff, 0x01}, 512), http.StatusBadRequest},
		{"a content type OTLP does not speak", "/v1/logs", "text/plain", []byte("hello"), http.StatusUnsupportedMediaType},
		{"a body above 4 MiB", "/v1/logs", "application/json", oversize, http.StatusBadRequest},
		{"an unknown path", "/v1/profiles/../../admin", "application/json", []byte(`{}`), http.StatusNotFound},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, post(t, g.OTLPHTTP, c.path, c.contentType, c.body), c.name)
	}

	var wg sync.WaitGroup
	var answered atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 250 {
				if preflight(t, g.OTLPHTTP, "/v1/traces", "https://app.example.com").Get("Access-Control-Allow-Origin") != "" {
					answered.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2000, answered.Load(), "preflights answered")
	require.NoError(t, g.WaitHTTP(g.HealthURL, 5*time.Second), "the gateway is healthy after all of it")

	valid := `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"nuxt-ui"}}]},` +
		`"scopeLogs":[{"logRecords":[{"severityText":"ERROR","body":{"stringValue":"hostile-input-survivor"}}]}]}]}`
	require.Equal(t, http.StatusOK, post(t, g.OTLPHTTP, "/v1/logs", "application/json", []byte(valid)))
	testutil.Eventually(t, 30*time.Second, func() error {
		for _, d := range es.Docs() {
			if strings.Contains(fmt.Sprint(d.Source), "hostile-input-survivor") {
				return nil
			}
		}
		return fmt.Errorf("the valid export is not indexed (%d docs)", len(es.Docs()))
	})
}
