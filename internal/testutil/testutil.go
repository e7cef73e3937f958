// Package testutil holds the helpers the components' tests share: loading a component's
// section of testdata/config.yaml, and driving a batch of logs through a consumer in a
// benchmark.
package testutil

import (
	"context"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
)

// LoadConfig unmarshals the section id of testdata/config.yaml into cfg, which holds the
// component's defaults; an empty section leaves them as they are.
func LoadConfig(t testing.TB, id component.ID, cfg component.Config) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(id.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
}

// BenchLogs sends a fresh copy of input to c per iteration (the copy is not timed) and reports
// ns per log record next to ns per batch.
func BenchLogs(b *testing.B, c consumer.Logs, input plog.Logs) {
	b.ReportAllocs()
	records := input.LogRecordCount()
	for b.Loop() {
		b.StopTimer()
		batch := plog.NewLogs()
		input.CopyTo(batch)
		b.StartTimer()
		if err := c.ConsumeLogs(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}
