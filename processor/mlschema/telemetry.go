// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/processor/mlschema/internal/metadata"
)

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

// telemetry is the processor's own metrics, declared in metadata.yaml.
type telemetry struct {
	*metadata.TelemetryBuilder
}

// newTelemetry creates the instruments and lets the series gauge observe the detector; the
// builder's Shutdown unregisters it, so a stopped processor (a reloaded configuration)
// neither reports nor keeps its detector alive.
func newTelemetry(set component.TelemetrySettings, d *detector) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{tb}, tb.RegisterProcessorMlSchemaAnomalySeriesCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(int64(d.size()))
		return nil
	})
}

func (t *telemetry) record(ctx context.Context, c *counts) {
	add := func(counter metric.Int64Counter, key string, byKey map[string]int64) {
		for k, n := range byKey {
			counter.Add(ctx, n, metric.WithAttributes(attribute.String(key, k)))
		}
	}
	add(t.ProcessorMlSchemaValidated, "event_type", c.validated)
	add(t.ProcessorMlSchemaInvalid, "event_type", c.invalid)
	add(t.ProcessorMlSchemaTagged, "tag", c.tags)
	add(t.ProcessorMlSchemaDropped, "reason", c.dropped)
	add(t.ProcessorMlSchemaAnomalies, "signal", c.anomalies)
	if c.redacted > 0 {
		t.ProcessorMlSchemaRedacted.Add(ctx, c.redacted)
	}
}
