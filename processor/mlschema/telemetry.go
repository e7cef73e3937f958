package mlschema

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/processor/mlschema"

// counts accumulates one batch so telemetry is recorded once per batch.
type counts struct {
	validated map[string]int64 // by event type
	invalid   map[string]int64
	tags      map[string]int64
	dropped   map[string]int64 // by reason
	anomalies map[string]int64 // by signal
	redacted  int64
}

func newCounts() counts {
	return counts{
		validated: map[string]int64{}, invalid: map[string]int64{}, tags: map[string]int64{},
		dropped: map[string]int64{}, anomalies: map[string]int64{},
	}
}

// tagRecord tags the record and counts the tag.
func (c *counts) tagRecord(v *view, tag string) {
	if !v.hasTag(tag) {
		v.tag(tag)
		c.tags[tag]++
	}
}

type telemetry struct {
	validated, invalid, tagged, dropped, anomalies metric.Int64Counter
	redacted                                       metric.Int64Counter
	series                                         metric.Int64ObservableGauge
	// seriesCallback observes the detector; unregistered at Shutdown, so a stopped processor
	// (a reloaded configuration) neither reports nor keeps its detector alive.
	seriesCallback metric.Registration
}

func newTelemetry(set component.TelemetrySettings, d *detector) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	counter := func(dst *metric.Int64Counter, name, desc string) error {
		var err error
		*dst, err = meter.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{records}"))
		return err
	}
	for _, c := range []struct {
		dst        *metric.Int64Counter
		name, desc string
	}{
		{&t.validated, "otelcol_processor_ml_schema_validated", "ML records validated against the schema, by event type."},
		{&t.invalid, "otelcol_processor_ml_schema_invalid", "ML records that broke the schema, by event type."},
		{&t.tagged, "otelcol_processor_ml_schema_tagged", "Tags added to records, by tag."},
		{&t.dropped, "otelcol_processor_ml_schema_dropped", "Records dropped, by reason (invalid_schema with action drop, sampled_out)."},
		{&t.anomalies, "otelcol_processor_ml_schema_anomalies", "Records flagged anomalous, by signal (latency, confidence)."},
		{&t.redacted, "otelcol_processor_ml_schema_redacted", "Secrets masked by guard.redact rules (values, not records)."},
	} {
		if err := counter(c.dst, c.name, c.desc); err != nil {
			return nil, err
		}
	}
	var err error
	t.series, err = meter.Int64ObservableGauge("otelcol_processor_ml_schema_anomaly_series",
		metric.WithDescription("Series (model, version, variant) tracked by the anomaly detector."),
		metric.WithUnit("{series}"))
	if err != nil {
		return nil, err
	}
	t.seriesCallback, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(t.series, int64(d.size()))
		return nil
	}, t.series)
	return t, err
}

// shutdown stops the gauge's callback.
func (t *telemetry) shutdown() error { return t.seriesCallback.Unregister() }

func (t *telemetry) record(ctx context.Context, c *counts) {
	add := func(counter metric.Int64Counter, key string, byKey map[string]int64) {
		for k, n := range byKey {
			counter.Add(ctx, n, metric.WithAttributes(attribute.String(key, k)))
		}
	}
	add(t.validated, "event_type", c.validated)
	add(t.invalid, "event_type", c.invalid)
	add(t.tagged, "tag", c.tags)
	add(t.dropped, "reason", c.dropped)
	add(t.anomalies, "signal", c.anomalies)
	if c.redacted > 0 {
		t.redacted.Add(ctx, c.redacted)
	}
}
