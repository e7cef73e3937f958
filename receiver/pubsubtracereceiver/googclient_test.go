// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// A publisher using Google's client with its OpenTelemetry tracing on: the client writes
// googclient_traceparent itself, and the receive span joins the publisher's trace under the
// client's create span.
func TestGoogleClientTracingPublisher(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	previous := otel.GetTracerProvider()
	otel.SetTracerProvider(tp) // the client traces through the global provider
	t.Cleanup(func() { otel.SetTracerProvider(previous); _ = tp.Shutdown(context.Background()) })

	ps := newFakePubSub(t)
	ps.jobsTap(t)
	c := &collector{}
	start(t, ps.config(SubscriptionConfig{Name: "tap"}), c, false)

	ctx := context.Background()
	client, err := pubsub.NewClientWithConfig(ctx, project, &pubsub.ClientConfig{EnableOpenTelemetryTracing: true},
		option.WithEndpoint(ps.srv.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	ctx, parent := tp.Tracer("api").Start(ctx, "POST /jobs")
	publisher := client.Publisher("jobs")
	_, err = publisher.Publish(ctx, &pubsub.Message{Data: []byte(`{"model_name": "resnet"}`)}).Get(ctx)
	require.NoError(t, err)
	parent.End()
	publisher.Stop()

	var create sdktrace.ReadOnlySpan
	for _, s := range spans.GetSpans().Snapshots() {
		if s.Name() == "jobs create" {
			create = s
		}
	}
	require.NotNil(t, create, "the client made its create span: %v", spans.GetSpans())
	eventually(t, 10*time.Second, func() bool { return c.spanCount() == 1 }, "no receive span")
	receive := c.spansCopy()[0]
	assert.Equal(t, pcommon.TraceID(parent.SpanContext().TraceID()), receive.TraceID(), "in the publisher's trace")
	assert.Equal(t, pcommon.SpanID(create.SpanContext().SpanID()), receive.ParentSpanID(), "under the client's create span")
	_, legacy := receive.Attributes().Get(legacyid.AttrTraceID)
	assert.False(t, legacy, "W3C context from the client is not a legacy ID")
}
