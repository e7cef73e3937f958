package legacyspans

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans"

type telemetry struct {
	emitted, dropped, late, evicted metric.Int64Counter
	openGroups                      metric.Int64ObservableGauge
	// openGroupsCallback is unregistered at Shutdown: a stopped connector stops reporting.
	openGroupsCallback metric.Registration
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
	var err error
	t.openGroups, err = meter.Int64ObservableGauge("otelcol_connector_legacy_spans_open_groups",
		metric.WithDescription("(trace, service) groups waiting to close."), metric.WithUnit("{groups}"))
	if err != nil {
		return nil, err
	}
	t.openGroupsCallback, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(t.openGroups, open())
		return nil
	}, t.openGroups)
	return t, err
}

func (t *telemetry) shutdown() error { return t.openGroupsCallback.Unregister() }
