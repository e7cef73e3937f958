// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build !race

// The race detector's instrumentation allocates, so these run without it (make test-allocs).

package mlmetrics

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
)

// Every inference record passes through the gateway's ml_metrics: adding one to a series
// that exists already must not allocate.
func TestConsumeInferenceDoesNotAllocate(t *testing.T) {
	ld := throughSchema(t, []record{
		{model: "m1", variant: "prod", latencyMS: 120, confidences: "0.9, 0.8", cacheHit: true, drift: 0.1, level: "INFO", jobID: "1"},
		{model: "m2", variant: "canary", latencyMS: 900, confidences: "0.2", level: "ERROR", jobID: "2"},
	})
	c, err := newConnector(connectortest.NewNopSettings(Type), createDefaultConfig(), consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.ConsumeLogs(ctx, ld); err != nil { // creates the two series
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.ConsumeLogs(ctx, ld) }); n != 0 {
		t.Fatalf("ConsumeLogs allocates %.0f times for records of existing series", n)
	}
	if got := len(c.inference); got != 2 {
		t.Fatalf("%d series, want 2", got)
	}
}
