package main

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsonpdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

// BenchmarkGatewayDocID is what configs/gateway.yaml's transform/docid costs per record on
// the benchmark's mix, structured as the sidecar sends it (map bodies), as OTLP records (no ID:
// only the condition runs) and as lines read from a file (hashed); copy_only is the copy of
// the input each iteration makes, to subtract.
func BenchmarkGatewayDocID(b *testing.B) {
	conf, err := confmaptest.LoadConf("../../configs/gateway.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sub, err := conf.Sub("processors::transform/docid")
	if err != nil {
		b.Fatal(err)
	}
	p := testutil.NewTransformLogs(b, sub.ToStringMap(), consumertest.NewNop())
	input := logBatch(1)
	for _, rec := range input.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		m := pcommon.NewMap()
		if _, err := jsonpdata.ParseObject(rec.Body().Str(), m, 8); err != nil {
			b.Fatal(err)
		}
		m.MoveTo(rec.Body().SetEmptyMap())
	}
	run := func(b *testing.B, next consumer.Logs) {
		b.ReportAllocs()
		for b.Loop() {
			ld := plog.NewLogs()
			input.CopyTo(ld)
			if err := next.ConsumeLogs(context.Background(), ld); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/record")
	}
	b.Run("copy_only", func(b *testing.B) { run(b, consumertest.NewNop()) })
	b.Run("otlp_records", func(b *testing.B) { run(b, p) })
	for i, rec := range input.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		rec.Attributes().PutStr("log.file.path", "/var/log/containers/ml-worker-7_default_worker-0123456789.log")
		rec.Attributes().PutInt("log.file.record_number", int64(i+1))
	}
	b.Run("file_lines", func(b *testing.B) { run(b, p) })
}
