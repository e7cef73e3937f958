package mlmetrics

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

type telemetry struct {
	overflow, dropped metric.Int64Counter
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	var err error
	if t.overflow, err = meter.Int64Counter("otelcol_connector_ml_metrics_overflow",
		metric.WithDescription("Inference records aggregated into the overflow series because max_series was reached."),
		metric.WithUnit("{records}")); err != nil {
		return nil, err
	}
	t.dropped, err = meter.Int64Counter("otelcol_connector_ml_metrics_dropped",
		metric.WithDescription("Data points refused downstream."), metric.WithUnit("{points}"))
	return t, err
}
