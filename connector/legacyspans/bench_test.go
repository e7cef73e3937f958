// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// BenchmarkConsumeLogs is the per-record cost of grouping bridged legacy logs.
func BenchmarkConsumeLogs(b *testing.B) {
	ld := bridged(b, incidentLogs())
	n := ld.LogRecordCount()
	c, err := newConnector(connectortest.NewNopSettings(Type), createDefaultConfig(), consumertest.NewNop(), newInstrumented(100))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.ConsumeLogs(context.Background(), ld)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

// BenchmarkRecordInstrumented is the per-span cost of legacy_spans in a gateway's traces
// pipeline: noting which services of each trace sent real spans.
func BenchmarkRecordInstrumented(b *testing.B) {
	res, _ := legacyid.Default.Map(jobUUID)
	td, _ := pageSpans(pcommon.TraceID(res.TraceID))
	c := instrumentedSpans{in: newInstrumented(20000)}
	n := td.SpanCount()
	b.ReportAllocs()
	for b.Loop() {
		_ = c.ConsumeTraces(context.Background(), td)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/span")
}
