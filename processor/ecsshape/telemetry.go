package ecsshape

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/processor/ecsshape"

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

type telemetry struct {
	records    metric.Int64Counter
	conflicted metric.Int64Counter
	fields     metric.Int64Counter
	byReason   [reasonCount]metric.MeasurementOption
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	var err error
	if t.records, err = meter.Int64Counter("otelcol_processor_ecs_shape_records",
		metric.WithDescription("Log records shaped for Elasticsearch."), metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.conflicted, err = meter.Int64Counter("otelcol_processor_ecs_shape_records_conflicted",
		metric.WithDescription("Records with at least one field moved to ml.schema.invalid or cut (tagged mapping_conflict or truncated)."),
		metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	if t.fields, err = meter.Int64Counter("otelcol_processor_ecs_shape_fields_relocated",
		metric.WithDescription("Fields moved to ml.schema.invalid or cut to ignore_above, by reason."), metric.WithUnit("{field}")); err != nil {
		return nil, err
	}
	for i, r := range reasons {
		t.byReason[i] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", r)))
	}
	return t, nil
}

func (t *telemetry) record(ctx context.Context, c *counts) {
	t.records.Add(ctx, c.records)
	if c.conflicted > 0 {
		t.conflicted.Add(ctx, c.conflicted)
	}
	for i, n := range c.fields {
		if n > 0 {
			t.fields.Add(ctx, n, t.byReason[i])
		}
	}
}
