package legacyspans

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans"

type telemetry struct {
	emitted, dropped, late, evicted metric.Int64Counter
}

func newTelemetry(set component.TelemetrySettings, open func() int64) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	for _, c := range []struct {
		dst        *metric.Int64Counter
		name, desc string
	}{
		{&t.emitted, "otelcol_connector_legacy_spans_emitted", "Spans synthesised from legacy logs and accepted downstream."},
		{&t.dropped, "otelcol_connector_legacy_spans_dropped", "Synthesised spans refused downstream."},
		{&t.late, "otelcol_connector_legacy_spans_late_groups", "Groups opened for a (trace, service) already closed: late logs, emitted as a continuation span with the same span ID."},
		{&t.evicted, "otelcol_connector_legacy_spans_evicted", "Groups closed early because max_open_groups was reached."},
	} {
		var err error
		if *c.dst, err = meter.Int64Counter(c.name, metric.WithDescription(c.desc), metric.WithUnit("{spans}")); err != nil {
			return nil, err
		}
	}
	_, err := meter.Int64ObservableGauge("otelcol_connector_legacy_spans_open_groups",
		metric.WithDescription("(trace, service) groups waiting to close."), metric.WithUnit("{groups}"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(open())
			return nil
		}))
	return t, err
}
