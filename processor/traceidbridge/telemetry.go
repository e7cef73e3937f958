// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/processor/traceidbridge/internal/metadata"
)

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

// telemetry is the generated instruments (metadata.yaml, internal/metadata) with attribute
// sets built once at start-up, so recording allocates nothing.
type telemetry struct {
	*metadata.TelemetryBuilder
	bySignal [signalCount]metric.MeasurementOption
	byRule   [signalCount][legacyid.RuleHash + 1]metric.MeasurementOption
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	t := &telemetry{TelemetryBuilder: tb}
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
			t.ProcessorTraceIDBridgeBridged.Add(ctx, n, t.byRule[s][r])
		}
	}
	if c.conflicts > 0 {
		t.ProcessorTraceIDBridgeConflicts.Add(ctx, c.conflicts, t.bySignal[s])
	}
	if c.missing > 0 {
		t.ProcessorTraceIDBridgeMissing.Add(ctx, c.missing, t.bySignal[s])
	}
	if c.unparseable > 0 {
		t.ProcessorTraceIDBridgeUnparseable.Add(ctx, c.unparseable, t.bySignal[s])
	}
}
