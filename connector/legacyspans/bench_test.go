// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
)

// BenchmarkConsumeLogs is the per-record cost of grouping bridged legacy logs.
func BenchmarkConsumeLogs(b *testing.B) {
	ld := bridged(b, incidentLogs())
	n := ld.LogRecordCount()
	c, err := newConnector(connectortest.NewNopSettings(Type), createDefaultConfig(), consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.ConsumeLogs(context.Background(), ld)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}
