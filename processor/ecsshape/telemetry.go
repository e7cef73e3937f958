// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
	"github.com/otelcol-mlops/otelcol-mlops/processor/ecsshape/internal/metadata"
)

// Reasons a field is moved to ml.schema.invalid (pkg/schema names them).
const (
	reasonType      = schema.ReasonType
	reasonReserved  = schema.ReasonReserved
	reasonDuplicate = schema.ReasonDuplicate
	reasonUnparsed  = schema.ReasonUnparsed
	reasonFieldName = schema.ReasonFieldName
	reasonCount     = 5
)

var reasons = [reasonCount]string{reasonType, reasonReserved, reasonDuplicate, reasonUnparsed, reasonFieldName}

// counts is one batch's outcomes, recorded once per batch.
type counts struct {
	records    int64
	conflicted int64
	fields     [reasonCount]int64
}

// telemetry is the generated instruments (metadata.yaml) with the reason attribute sets built
// once, so recording allocates nothing.
type telemetry struct {
	*metadata.TelemetryBuilder
	byReason [reasonCount]metric.MeasurementOption
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	t := &telemetry{TelemetryBuilder: tb}
	for i, r := range reasons {
		t.byReason[i] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", r)))
	}
	return t, nil
}

func (t *telemetry) record(ctx context.Context, c *counts) {
	t.ProcessorEcsShapeRecords.Add(ctx, c.records)
	if c.conflicted > 0 {
		t.ProcessorEcsShapeRecordsConflicted.Add(ctx, c.conflicted)
	}
	for i, n := range c.fields {
		if n > 0 {
			t.ProcessorEcsShapeFieldsRelocated.Add(ctx, n, t.byReason[i])
		}
	}
}
