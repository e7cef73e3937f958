// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-mlops/otelcol-mlops/processor/traceidbridge"
	"github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid"
)

// A legacy UI (no OTel) calls a Go service instrumented with OTel and this propagator. The
// UI's log line goes through the trace_id_bridge processor. Both must land in one trace, and
// the service's server span must hang under the span the bridge gives the UI's logs.
func TestInstrumentedServiceBehindLegacyClient(t *testing.T) {
	const legacyID = "xyz-123" // the seed's UI minted opaque IDs before it used UUIDs

	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, xtraceid.New(xtraceid.WithUpstreamService("nuxt-ui")))

	var downstream http.Header
	worker := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { downstream = r.Header.Clone() }))
	defer worker.Close()

	api := httptest.NewServer(otelhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, worker.URL, http.NoBody)
		prop.Inject(r.Context(), propagation.HeaderCarrier(req.Header))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		w.WriteHeader(http.StatusAccepted)
	}), "POST /jobs", otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop)))
	defer api.Close()

	// The legacy client: a header, and a JSON log line with the same ID.
	req, err := http.NewRequest(http.MethodPost, api.URL+"/jobs", http.NoBody)
	require.NoError(t, err)
	req.Header.Set("X-Trace-ID", legacyID)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, tp.Shutdown(context.Background()))

	uiLogs := plog.NewLogs()
	rl := uiLogs.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "nuxt-ui")
	rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(
		`{"timestamp": "2024-05-14 10:03:21,512", "level": "INFO", "message": "Run Training Job clicked", "trace_id": "` + legacyID + `"}`)
	sink := &consumertest.LogsSink{}
	bridge, err := traceidbridge.NewFactory().CreateLogs(context.Background(),
		processortest.NewNopSettings(traceidbridge.Type), traceidbridge.NewFactory().CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, bridge.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, bridge.ConsumeLogs(context.Background(), uiLogs))
	uiLog := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)

	spans := recorder.Ended()
	require.Len(t, spans, 1)
	server := spans[0]
	assert.Equal(t, uiLog.TraceID().String(), server.SpanContext().TraceID().String(), "one trace for the legacy log and the instrumented span")
	assert.Equal(t, uiLog.SpanID().String(), server.Parent().SpanID().String(), "the server span is a child of the UI's (derived) span")
	assert.Equal(t, legacyID, downstream.Get("X-Trace-ID"), "the legacy ID travels on to legacy downstreams")
	assert.Contains(t, downstream.Get("traceparent"), server.SpanContext().TraceID().String())
}
