// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/processor/mlschema"
	"github.com/otelcol-mlops/otelcol-mlops/processor/traceidbridge"
)

// wireSink marshals what reaches it, as the OTLP exporter does.
type wireSink struct {
	marshaler plog.ProtoMarshaler
	bytes     int
}

func (s *wireSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *wireSink) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	out, err := s.marshaler.MarshalLogs(ld)
	s.bytes += len(out)
	return err
}

// logsChain builds the logs processors of a bench config (everything but batch, which only
// regroups) in pipeline order, in front of next.
func logsChain(b *testing.B, configFile string, next consumer.Logs) consumer.Logs {
	conf, err := confmaptest.LoadConf(filepath.Join("..", "configs", configFile))
	if err != nil {
		b.Fatal(err)
	}
	pipeline, err := conf.Sub("service::pipelines::logs")
	if err != nil {
		b.Fatal(err)
	}
	names, _ := pipeline.Get("processors").([]any)
	factories := map[string]processor.Factory{}
	for _, f := range []processor.Factory{traceidbridge.NewFactory(), mlschema.NewFactory(), transformprocessor.NewFactory()} {
		factories[f.Type().String()] = f
	}
	for i := len(names) - 1; i >= 0; i-- {
		name := names[i].(string)
		if name == "batch" {
			continue
		}
		f, ok := factories[strings.SplitN(name, "/", 2)[0]]
		if !ok {
			b.Fatalf("%s: no factory for %s", configFile, name)
		}
		cfg := f.CreateDefaultConfig()
		sub, err := conf.Sub("processors::" + name)
		if err != nil {
			b.Fatal(err)
		}
		if err := sub.Unmarshal(cfg); err != nil {
			b.Fatal(err)
		}
		next = testutil.StartLogsProcessor(b, f, cfg, next)
	}
	return next
}

// structuringFloor does the one thing any pipeline that structures JSON bodies must do:
// turn each body into a map, with the parser ml_schema uses. Nothing is validated.
type structuringFloor struct{ next consumer.Logs }

func (f structuringFloor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (f structuringFloor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, rec := range sl.LogRecords().All() {
				m := pcommon.NewMap()
				if _, err := jsontopdata.ParseObject(rec.Body().Str(), m, 8); err != nil {
					return err
				}
				m.MoveTo(rec.Body().SetEmptyMap())
			}
		}
	}
	return f.next.ConsumeLogs(ctx, ld)
}

// BenchmarkPipeline is the load benchmark's logs path without the network: a batch of the
// realistic mix as OTLP bytes is decoded, run through a config's processors and encoded again.
// "noop" is the ceiling (decode + encode), "structuring_floor" adds only turning JSON bodies
// into maps; the ratios against it are what the load benchmark
// measures end to end, minus gRPC and the batch processor.
func BenchmarkPipeline(b *testing.B) {
	wire, err := (&plog.ProtoMarshaler{}).MarshalLogs(logBatch(1))
	if err != nil {
		b.Fatal(err)
	}
	for _, config := range []string{"noop.yaml", "structuring_floor", "sidecar.yaml", "ottl.yaml"} {
		b.Run(strings.TrimSuffix(config, ".yaml"), func(b *testing.B) {
			sink := &wireSink{}
			var chain consumer.Logs = structuringFloor{sink}
			if strings.HasSuffix(config, ".yaml") {
				chain = logsChain(b, config, sink)
			}
			var unmarshaler plog.ProtoUnmarshaler
			b.ReportAllocs()
			for b.Loop() {
				ld, err := unmarshaler.UnmarshalLogs(wire)
				if err != nil {
					b.Fatal(err)
				}
				if err := chain.ConsumeLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/record")
		})
	}
}
