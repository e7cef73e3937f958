package traceidbridge

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/processor/traceidbridge"

type signal uint8

const (
	signalLogs signal = iota
	signalTraces
	signalMetrics
	signalCount
)

var signalNames = [signalCount]string{"logs", "traces", "metrics"}

// counts accumulates one batch's outcomes so telemetry is recorded once per batch.
type counts struct {
	bridged     [legacyid.RuleHash + 1]int64
	conflicts   int64
	missing     int64
	unparseable int64
}

// telemetry holds the processor's own metrics, with attribute sets built once at start-up so
// recording allocates nothing.
type telemetry struct {
	bridged     metric.Int64Counter
	conflicts   metric.Int64Counter
	missing     metric.Int64Counter
	unparseable metric.Int64Counter
	bySignal    [signalCount]metric.MeasurementOption
	byRule      [signalCount][legacyid.RuleHash + 1]metric.MeasurementOption
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	var err error
	if t.bridged, err = meter.Int64Counter("otelcol_processor_trace_id_bridge_bridged",
		metric.WithDescription("Records, spans and data points given trace context from a legacy ID, by signal and mapping rule."),
		metric.WithUnit("{records}")); err != nil {
		return nil, err
	}
	if t.conflicts, err = meter.Int64Counter("otelcol_processor_trace_id_bridge_conflicts",
		metric.WithDescription("Records whose own trace ID differs from the one their legacy ID maps to (kept, mapped ID recorded as an attribute)."),
		metric.WithUnit("{records}")); err != nil {
		return nil, err
	}
	if t.missing, err = meter.Int64Counter("otelcol_processor_trace_id_bridge_missing",
		metric.WithDescription("Log records with neither a trace ID nor a legacy ID."),
		metric.WithUnit("{records}")); err != nil {
		return nil, err
	}
	if t.unparseable, err = meter.Int64Counter("otelcol_processor_trace_id_bridge_unparseable",
		metric.WithDescription("Source values that held no readable ID (wrong type, or a pattern that did not match)."),
		metric.WithUnit("{values}")); err != nil {
		return nil, err
	}
	for s := range signalCount {
		t.bySignal[s] = metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", signalNames[s])))
		for _, r := range legacyid.Rules() {
			t.byRule[s][r] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("signal", signalNames[s]), attribute.String("rule", r.String())))
		}
	}
	return t, nil
}

func (t *telemetry) record(ctx context.Context, s signal, c *counts) {
	for _, r := range legacyid.Rules() {
		if n := c.bridged[r]; n > 0 {
			t.bridged.Add(ctx, n, t.byRule[s][r])
		}
	}
	if c.conflicts > 0 {
		t.conflicts.Add(ctx, c.conflicts, t.bySignal[s])
	}
	if c.missing > 0 {
		t.missing.Add(ctx, c.missing, t.bySignal[s])
	}
	if c.unparseable > 0 {
		t.unparseable.Add(ctx, c.unparseable, t.bySignal[s])
	}
}
