// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

const benchBatch = 1000

// benchLogs is a batch shaped like a worker's output: three quarters UUID trace_id attributes,
// one fifth opaque IDs, the rest without an ID.
func benchLogs() plog.Logs {
	ld := plog.NewLogs()
	recs := addResourceLogs(ld, "ml-worker")
	for i := range benchBatch {
		rec := addLog(recs, i, "Starting processing for model: resnet50")
		rec.Attributes().PutStr("level", "INFO")
		rec.Attributes().PutStr("worker_id", "gpu-worker-7")
		switch {
		case i%20 < 15:
			rec.Attributes().PutStr("trace_id", fmt.Sprintf("4bf92f35-77b3-4da6-a3ce-%012x", i))
		case i%20 < 19:
			rec.Attributes().PutStr("trace_id", fmt.Sprintf("job-%d", i))
		}
	}
	return ld
}

// benchJSONLogs is the same batch as unparsed Python JSON lines.
func benchJSONLogs() plog.Logs {
	ld := plog.NewLogs()
	recs := addResourceLogs(ld, "azure-function-api")
	for i := range benchBatch {
		addLog(recs, i, fmt.Sprintf(`{"timestamp": "2024-05-14 10:03:21,522", "level": "INFO", "message": "Received request to create training job.", "trace_id": "4bf92f35-77b3-4da6-a3ce-%012x"}`, i))
	}
	return ld
}

func newBridgeLogs(b *testing.B) consumer.Logs {
	return testutil.StartLogsProcessor(b, NewFactory(), createDefaultConfig(), consumertest.NewNop())
}

// ottlEquivalent is the closest the contrib transform processor gets with OTTL: UUIDs lose
// their dashes, anything else is hashed, the original is kept. It has no sentinels, no other
// ID forms, no span IDs and no JSON bodies.
var ottlEquivalent = map[string]any{
	"error_mode": "ignore",
	"log_statements": []any{map[string]any{
		"context": "log",
		"statements": []any{
			`set(attributes["legacy.trace_id"], attributes["trace_id"]) where attributes["trace_id"] != nil`,
			`replace_pattern(attributes["trace_id"], "^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$", "$1$2$3$4$5")`,
			`set(trace_id.string, attributes["trace_id"]) where attributes["trace_id"] != nil and IsMatch(attributes["trace_id"], "^[0-9a-fA-F]{32}$")`,
			`set(trace_id.string, Substring(SHA256(attributes["trace_id"]), 0, 32)) where attributes["trace_id"] != nil and not IsMatch(attributes["trace_id"], "^[0-9a-fA-F]{32}$")`,
		},
	}},
}

func newTransformLogs(b *testing.B) consumer.Logs {
	return testutil.NewTransformLogs(b, ottlEquivalent, consumertest.NewNop())
}

// BenchmarkLogs compares the bridge with the OTTL equivalent on the same batch, same run.
func BenchmarkLogs(b *testing.B) {
	b.Run("bridge/attributes", func(b *testing.B) { testutil.BenchLogs(b, newBridgeLogs(b), benchLogs()) })
	b.Run("ottl/attributes", func(b *testing.B) { testutil.BenchLogs(b, newTransformLogs(b), benchLogs()) })
	b.Run("bridge/json_body", func(b *testing.B) { testutil.BenchLogs(b, newBridgeLogs(b), benchJSONLogs()) })
}

// BenchmarkBridgeLogRecord is the per-record cost of bridging a UUID attribute, without the
// processorhelper around it.
func BenchmarkBridgeLogRecord(b *testing.B) {
	br, err := newBridge(processortest.NewNopSettings(Type), createDefaultConfig())
	require.NoError(b, err)
	ld := benchLogs()
	rl := ld.ResourceLogs().At(0)
	rec := rl.ScopeLogs().At(0).LogRecords().At(0)
	var c counts
	b.ReportAllocs()
	for b.Loop() {
		var spans derivedSpanCache // a fresh cache: every record pays the derivation
		br.bridgeLog(rl.Resource().Attributes(), "ml-worker", rec, &spans, &c)
	}
}

func BenchmarkTraces(b *testing.B) {
	for _, name := range []string{"", "override"} {
		b.Run("mode="+map[string]string{"": "link", "override": "override"}[name], func(b *testing.B) {
			cfg := createDefaultConfig()
			cfg.Override = name == "override"
			p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(Type), cfg, consumertest.NewNop())
			require.NoError(b, err)
			input := seedTraces()
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				td := ptrace.NewTraces()
				input.CopyTo(td)
				b.StartTimer()
				if err := p.ConsumeTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*input.SpanCount()), "ns/span")
		})
	}
}

// The side-by-side benchmark only means something if both do the same job on its batch.
func TestOTTLEquivalentAgreesOnTheBenchmarkBatch(t *testing.T) {
	ours, theirs := &consumertest.LogsSink{}, &consumertest.LogsSink{}
	bridgeP := testutil.StartLogsProcessor(t, NewFactory(), createDefaultConfig(), ours)
	ottlP := testutil.NewTransformLogs(t, ottlEquivalent, theirs)
	require.NoError(t, bridgeP.ConsumeLogs(context.Background(), benchLogs()))
	require.NoError(t, ottlP.ConsumeLogs(context.Background(), benchLogs()))

	a := ours.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	o := theirs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, a.Len(), o.Len())
	for i := 0; i < a.Len(); i++ {
		require.Equal(t, a.At(i).TraceID(), o.At(i).TraceID(), "record %d", i)
	}
}
