// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package backendcheckextension

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-mlops/otelcol-mlops/extension/backendcheckextension/internal/metadatatest"
)

// statusHost records the component status the extension reports.
type statusHost struct {
	component.Host
	mu     sync.Mutex
	events []*componentstatus.Event
}

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *statusHost) last() *componentstatus.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		return nil
	}
	return h.events[len(h.events)-1]
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// listen is a backend at addr: it holds each connection open, waiting for a request, as an
// HTTP or gRPC server does (closeAtOnce: it closes each at once, as a proxy with no backend).
func listen(t *testing.T, addr string, closeAtOnce ...bool) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if len(closeAtOnce) > 0 {
				_ = conn.Close()
				continue
			}
			go func() {
				_, _ = io.Copy(io.Discard, conn)
				_ = conn.Close()
			}()
		}
	}()
	return ln
}

func getStatus(t *testing.T, url string) (int, statusPage) {
	t.Helper()
	resp, err := http.Get(url) //nolint:noctx // a test's loopback request
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var page statusPage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	return resp.StatusCode, page
}

// TestAnOutageIsLoggedCountedReportedAndShown takes one of two backends away and brings it
// back, and reads each place a user looks: the log, the metrics, the component status and
// the status page.
func TestAnOutageIsLoggedCountedReportedAndShown(t *testing.T) {
	jaegerAddr, esAddr, page := freeAddr(t), freeAddr(t), freeAddr(t)
	jaeger := listen(t, jaegerAddr)
	defer func() { _ = jaeger.Close() }()

	cfg := createDefaultConfig()
	cfg.Interval, cfg.Timeout, cfg.RemindInterval, cfg.Endpoint = 50*time.Millisecond, 20*time.Millisecond, 0, page
	proxyAddr := freeAddr(t)
	proxy := listen(t, proxyAddr, true)
	defer func() { _ = proxy.Close() }()
	cfg.Backends = map[string][]string{"elasticsearch": {"https://" + esAddr}, "jaeger": {jaegerAddr}, "metrics": nil, "gateways": {proxyAddr}}
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := metadatatest.NewSettings(tel)
	core, logs := observer.New(zapcore.InfoLevel)
	set.Logger = zap.New(core)
	ext, err := createExtension(context.Background(), set, cfg)
	require.NoError(t, err)
	host := &statusHost{Host: componenttest.NewNopHost()}
	require.NoError(t, ext.Start(context.Background(), host))
	defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
	url := "http://" + page + "/"

	// Elasticsearch is down from the start.
	require.Eventually(t, func() bool { code, p := getStatus(t, url); return code == 503 && p.Status == "unreachable" }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return ext.(*checker).roundsDone() >= 5 }, 10*time.Second, 10*time.Millisecond)
	_, p := getStatus(t, url)
	require.Len(t, p.Backends, 3, "a backend with no address is not probed")
	assert.Equal(t, "elasticsearch", p.Backends[0].Name)
	assert.Equal(t, esAddr, p.Backends[0].Endpoint)
	assert.False(t, *p.Backends[0].Reachable)
	assert.Contains(t, p.Backends[0].Error, "connection refused")
	assert.Equal(t, "gateways", p.Backends[1].Name)
	assert.False(t, *p.Backends[1].Reachable, "a proxy that accepts and closes at once has nothing behind it")
	assert.Contains(t, p.Backends[1].Error, "closed by the peer")
	assert.True(t, *p.Backends[2].Reachable)
	require.NoError(t, proxy.Close())

	warnings := logs.FilterMessageSnippet("backend unreachable").FilterField(zap.String("backend", "elasticsearch")).AllUntimed()
	require.Len(t, warnings, 1, "one warning per outage, not one per probe (remind_interval 0)")
	assert.Equal(t, "elasticsearch", warnings[0].ContextMap()["backend"])
	assert.Equal(t, esAddr, warnings[0].ContextMap()["endpoint"])
	assert.Equal(t, componentstatus.StatusRecoverableError, host.last().Status())
	assert.ErrorContains(t, host.last().Err(), "elasticsearch ("+esAddr+") unreachable")

	reachable := func() map[string]int64 {
		m, err := tel.GetMetric("otelcol_extension_backend_check_reachable")
		require.NoError(t, err)
		out := map[string]int64{}
		for _, dp := range m.Data.(metricdata.Gauge[int64]).DataPoints {
			b, _ := dp.Attributes.Value("backend")
			out[b.AsString()] = dp.Value
		}
		return out
	}
	assert.Equal(t, map[string]int64{"elasticsearch": 0, "gateways": 0, "jaeger": 1}, reachable())
	failures, err := tel.GetMetric("otelcol_extension_backend_check_failures")
	require.NoError(t, err)
	for _, dp := range failures.Data.(metricdata.Sum[int64]).DataPoints {
		b, _ := dp.Attributes.Value("backend")
		assert.Contains(t, []string{"elasticsearch", "gateways"}, b.AsString(), "only the unreachable backends' probes fail")
		assert.GreaterOrEqual(t, dp.Value, int64(4))
	}

	// Elasticsearch comes up, Jaeger goes away.
	es := listen(t, esAddr)
	defer func() { _ = es.Close() }()
	require.NoError(t, jaeger.Close())
	require.Eventually(t, func() bool { return reachable()["elasticsearch"] == 1 && reachable()["jaeger"] == 0 }, 10*time.Second, 10*time.Millisecond)
	assert.Len(t, logs.FilterMessage("backend reachable again").FilterField(zap.String("backend", "elasticsearch")).AllUntimed(), 1)
	assert.Len(t, logs.FilterMessageSnippet("backend unreachable").FilterField(zap.String("backend", "jaeger")).AllUntimed(), 1)

	// All up: the page says so, and the status is OK again.
	jaeger2 := listen(t, jaegerAddr)
	defer func() { _ = jaeger2.Close() }()
	gateways := listen(t, proxyAddr)
	defer func() { _ = gateways.Close() }()
	require.Eventually(t, func() bool { code, p := getStatus(t, url); return code == 200 && p.Status == "reachable" }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return host.last().Status() == componentstatus.StatusOK }, 10*time.Second, 10*time.Millisecond)
}

// TestALongOutageIsRemindedOf: with remind_interval, an outage that lasts is logged again, with
// how long it has lasted.
func TestALongOutageIsRemindedOf(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Interval, cfg.Timeout, cfg.RemindInterval = 10*time.Millisecond, 10*time.Millisecond, 50*time.Millisecond
	cfg.Backends = map[string][]string{"gateways": {freeAddr(t)}}
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	core, logs := observer.New(zapcore.InfoLevel)
	set.Logger = zap.New(core)
	ext, err := createExtension(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, ext.Shutdown(context.Background())) }()
	require.Eventually(t, func() bool { return logs.FilterMessage("backend still unreachable").Len() >= 2 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, 1, logs.FilterMessageSnippet("backend unreachable").Len())
	assert.Contains(t, logs.FilterMessage("backend still unreachable").AllUntimed()[0].ContextMap(), "for")
}

// TestStartDoesNotWaitForABackend: a backend that accepts nothing (a black-holed address) does
// not hold the collector's start-up, and the page says "checking" until the first round ends.
func TestStartDoesNotWaitForABackend(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Interval, cfg.Timeout = time.Hour, time.Hour
	cfg.Endpoint = freeAddr(t)
	// 192.0.2.0/24 is TEST-NET-1: never routed, so a dial waits for its timeout (or fails at once
	// where there is no route; then the round ends and the page says unreachable).
	cfg.Backends = map[string][]string{"elasticsearch": {"192.0.2.1:9200"}}
	ext, err := createExtension(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	code, p := getStatus(t, "http://"+cfg.Endpoint+"/")
	assert.Equal(t, 503, code)
	assert.Contains(t, []string{"checking", "unreachable"}, p.Status, fmt.Sprint(p))
	require.NoError(t, ext.Shutdown(context.Background()), "shutdown cancels a probe in progress")
}
