package ecsshape

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/processor/ecsshape/internal/metadata"
)

// Reasons a field is moved to ml.schema.invalid or cut.
const (
	reasonType      = "type"      // its value contradicts the field's mapping
	reasonReserved  = "reserved"  // the exporter writes this ECS field itself
	reasonDuplicate = "duplicate" // the body and the attributes both have it, differently
	reasonTooLong   = "too_long"  // a keyword value over ignore_above, cut
	reasonUnparsed  = "unparsed_timestamp"
	reasonFieldName = "field_name" // a name Elasticsearch refuses (empty, a blank part)
	reasonCount     = 6
)

var reasons = [reasonCount]string{reasonType, reasonReserved, reasonDuplicate, reasonTooLong, reasonUnparsed, reasonFieldName}

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
