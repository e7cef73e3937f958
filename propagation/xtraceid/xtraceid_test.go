// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package xtraceid

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

const seedUUID = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"

func composite(p Propagator) propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, p)
}

func TestExtractLegacyUUID(t *testing.T) {
	ctx := New(WithUpstreamService("nuxt-ui")).Extract(context.Background(), propagation.MapCarrier{"X-Trace-ID": seedUUID})
	sc := trace.SpanContextFromContext(ctx)
	require.True(t, sc.IsValid())
	res, _ := legacyid.Default.Map(seedUUID)
	assert.Equal(t, trace.TraceID(res.TraceID), sc.TraceID())
	assert.Equal(t, trace.SpanID(legacyid.DeriveSpanID(res.TraceID, "nuxt-ui")), sc.SpanID(),
		"the parent is the span the bridge gives the upstream service's logs")
	assert.True(t, sc.IsRemote())
	assert.True(t, sc.IsSampled())
	v, ok := LegacyID(ctx)
	assert.True(t, ok)
	assert.Equal(t, seedUUID, v)
}

func TestExtractOpaqueIDAndHeaderCase(t *testing.T) {
	// http.Header-style carriers canonicalise names: X-Trace-Id.
	ctx := New().Extract(context.Background(), propagation.MapCarrier{"X-Trace-Id": "xyz-123"})
	res, _ := legacyid.Default.Map("xyz-123")
	assert.Equal(t, trace.TraceID(res.TraceID), trace.SpanContextFromContext(ctx).TraceID())
}

func TestExtractHonoursOptions(t *testing.T) {
	p := New(WithHeaders("X-Correlation-ID", "X-Request-ID"),
		WithMapping(legacyid.Settings{Namespace: "tenant-a", NoIDValues: []string{"unset"}}),
		WithSampled(false))
	ctx := p.Extract(context.Background(), propagation.MapCarrier{"X-Correlation-ID": "unset", "X-Request-ID": "req-1"})
	sc := trace.SpanContextFromContext(ctx)
	res, _ := legacyid.New(legacyid.Options{Namespace: "tenant-a"}).Map("req-1")
	assert.Equal(t, trace.TraceID(res.TraceID), sc.TraceID(), "sentinel skipped, next header read, namespace applied")
	assert.False(t, sc.IsSampled())
	assert.Equal(t, []string{"X-Correlation-ID", "X-Request-ID"}, p.Fields())
}

func TestExtractNothing(t *testing.T) {
	for _, carrier := range []propagation.MapCarrier{{}, {"X-Trace-ID": "NO_TRACE_ID"}, {"X-Trace-ID": "  "}} {
		ctx := New().Extract(context.Background(), carrier)
		assert.False(t, trace.SpanContextFromContext(ctx).IsValid(), "%v", carrier)
	}
}

func TestTraceparentWins(t *testing.T) {
	carrier := propagation.MapCarrier{
		"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"X-Trace-ID":  seedUUID,
	}
	ctx := composite(New()).Extract(context.Background(), carrier)
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", trace.SpanContextFromContext(ctx).TraceID().String())
	_, ok := LegacyID(ctx)
	assert.False(t, ok)
}

func TestInjectKeepsTheLegacyValue(t *testing.T) {
	prop := composite(New())
	ctx := prop.Extract(context.Background(), propagation.MapCarrier{"X-Trace-ID": "xyz-123"})
	out := propagation.MapCarrier{}
	prop.Inject(ctx, out)
	assert.Equal(t, "xyz-123", out["X-Trace-ID"], "downstream legacy services see the ID they know")
	assert.NotEmpty(t, out["traceparent"])
}

func TestInjectFormatsNewTracesAsUUID(t *testing.T) {
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	ctx := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	out := propagation.MapCarrier{}
	New().Inject(ctx, out)
	assert.Equal(t, "0af76519-16cd-43dd-8448-eb211c80319c", out["X-Trace-ID"])
	res, ok := legacyid.Default.Map(out["X-Trace-ID"])
	require.True(t, ok)
	assert.Equal(t, tid, trace.TraceID(res.TraceID), "the UUID maps back to the same trace")

	New().Inject(context.Background(), out)
	assert.Len(t, out, 1, "nothing injected without a span context")
}
