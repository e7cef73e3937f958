// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/receiver/pubsubtracereceiver/internal/metadata"
)

// Why a message was nacked or acked without its telemetry.
const (
	reasonPipelineError  = "pipeline_error"
	reasonPermanentError = "permanent_error"
	reasonDecodeError    = "decode_error"
)

// telemetry is the receiver's own metrics, declared in metadata.yaml.
type telemetry struct {
	*metadata.TelemetryBuilder
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{tb}, nil
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
	t.ReceiverPubsubTraceNacked.Add(ctx, 1, a.reason(reason))
}

func (t *telemetry) drop(ctx context.Context, a subscriptionAttrs, reason string) {
	t.ReceiverPubsubTraceDropped.Add(ctx, 1, a.reason(reason))
}
