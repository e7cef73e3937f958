// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
)

// BenchmarkConsumeInference is the per-record cost of aggregating enriched inference records.
func BenchmarkConsumeInference(b *testing.B) {
	var recs []record
	for i := range 1000 {
		recs = append(recs, record{model: fmt.Sprintf("m%d", i%4), variant: "prod", latencyMS: float64(i % 300), confidences: "0.9, 0.8", cacheHit: i%3 == 0, drift: 0.1, level: "INFO", jobID: fmt.Sprint(i)})
	}
	ld := throughSchema(b, recs)
	c, err := newConnector(connectortest.NewNopSettings(Type), createDefaultConfig(), consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.ConsumeLogs(context.Background(), ld)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/record")
}
