package pubsubtracereceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/receiver/pubsubtracereceiver"

// Why a message was nacked or acked without its telemetry.
const (
	reasonPipelineError  = "pipeline_error"
	reasonPermanentError = "permanent_error"
	reasonDecodeError    = "decode_error"
)

type telemetry struct {
	received, acked, nacked, dropped, decodeErrors metric.Int64Counter
	queueLatency                                   metric.Float64Histogram
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	var err error
	for _, c := range []struct {
		dst        *metric.Int64Counter
		name, desc string
	}{
		{&t.received, "otelcol_receiver_pubsub_trace_received", "Messages received, by subscription."},
		{&t.acked, "otelcol_receiver_pubsub_trace_acked", "Messages acked after the pipeline accepted their telemetry, by subscription."},
		{&t.nacked, "otelcol_receiver_pubsub_trace_nacked", "Messages nacked for redelivery, by subscription and reason."},
		{&t.dropped, "otelcol_receiver_pubsub_trace_dropped", "Messages acked without their telemetry (on_permanent_error or on_decode_error: ack), by subscription and reason."},
		{&t.decodeErrors, "otelcol_receiver_pubsub_trace_decode_errors", "Log payloads that were not valid JSON, by subscription."},
	} {
		if *c.dst, err = meter.Int64Counter(c.name, metric.WithDescription(c.desc), metric.WithUnit("{messages}")); err != nil {
			return nil, err
		}
	}
	t.queueLatency, err = meter.Float64Histogram("otelcol_receiver_pubsub_trace_queue_latency",
		metric.WithDescription("Time from publish to receive, by subscription."), metric.WithUnit("ms"),
		metric.WithExplicitBucketBoundaries(1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 60000, 300000, 3600000))
	return t, err
}

// subscriptionAttrs are built once per subscription so recording does not allocate.
type subscriptionAttrs struct {
	sub                                metric.MeasurementOption
	pipelineError, permanent, decoding metric.MeasurementOption
}

func newSubscriptionAttrs(id string) subscriptionAttrs {
	withReason := func(reason string) metric.MeasurementOption {
		return metric.WithAttributeSet(attribute.NewSet(attribute.String("subscription", id), attribute.String("reason", reason)))
	}
	return subscriptionAttrs{
		sub:           metric.WithAttributeSet(attribute.NewSet(attribute.String("subscription", id))),
		pipelineError: withReason(reasonPipelineError),
		permanent:     withReason(reasonPermanentError),
		decoding:      withReason(reasonDecodeError),
	}
}

func (a subscriptionAttrs) reason(r string) metric.MeasurementOption {
	switch r {
	case reasonPermanentError:
		return a.permanent
	case reasonDecodeError:
		return a.decoding
	}
	return a.pipelineError
}

func (t *telemetry) nack(ctx context.Context, a subscriptionAttrs, reason string) {
	t.nacked.Add(ctx, 1, a.reason(reason))
}

func (t *telemetry) drop(ctx context.Context, a subscriptionAttrs, reason string) {
	t.dropped.Add(ctx, 1, a.reason(reason))
}
