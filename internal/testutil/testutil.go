// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package testutil holds the helpers the components' tests share: loading a component's
// section of testdata/config.yaml, and driving a batch of logs through a consumer in a
// benchmark.
package testutil

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
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
// ns per log record next to ns per batch. c must do measurable work: with the copy untimed, a
// no-op consumer makes b.Loop raise the iteration count without end.
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

// Counter sums the data points of a component's Int64 counter whose attributes include
// attrs. A counter that was never recorded, or attributes no data point has, fail the test:
// an expected 0 must not pass on a misspelt name (use CounterValue to poll for a counter
// that may not exist yet).
func Counter(t testing.TB, tel *componenttest.Telemetry, name string, attrs map[string]string) int64 {
	t.Helper()
	v, err := CounterValue(tel, name, attrs)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// CounterValue is Counter returning an error instead of failing the test.
func CounterValue(tel *componenttest.Telemetry, name string, attrs map[string]string) (int64, error) {
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		return 0, fmt.Errorf("counter %s is a %T, not an Int64 sum", name, m.Data)
	}
	var total int64
	keysSeen := len(attrs) == 0
	for _, dp := range sum.DataPoints {
		match, hasKeys := true, true
		for k, want := range attrs {
			got, ok := dp.Attributes.Value(attribute.Key(k))
			hasKeys = hasKeys && ok
			if !ok || got.AsString() != want {
				match = false
			}
		}
		keysSeen = keysSeen || hasKeys
		if match {
			total += dp.Value
		}
	}
	if !keysSeen {
		return 0, fmt.Errorf("counter %s has no data point with the attributes %v", name, attrs)
	}
	return total, nil
}

// StartLogsProcessor creates a logs processor from f with cfg in front of next and starts
// it; it is shut down when the test ends.
func StartLogsProcessor(t testing.TB, f processor.Factory, cfg component.Config, next consumer.Logs) consumer.Logs {
	t.Helper()
	p, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// CheckLogsOnlyMutatingProcessor checks what the collector relies on from a logs processor
// that rewrites records in place: it says it mutates (or the collector would hand it data
// another consumer is still reading), and a traces or metrics pipeline naming it fails at
// start-up with the collector's own error.
func CheckLogsOnlyMutatingProcessor(t testing.TB, f processor.Factory) {
	t.Helper()
	set := processortest.NewNopSettings(f.Type())
	cfg := f.CreateDefaultConfig()
	logs, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if !logs.Capabilities().MutatesData {
		t.Error("the processor rewrites records but does not declare MutatesData")
	}
	if _, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop()); !errors.Is(err, pipeline.ErrSignalNotSupported) {
		t.Errorf("traces: %v, want pipeline.ErrSignalNotSupported", err)
	}
	if _, err := f.CreateMetrics(context.Background(), set, cfg, consumertest.NewNop()); !errors.Is(err, pipeline.ErrSignalNotSupported) {
		t.Errorf("metrics: %v, want pipeline.ErrSignalNotSupported", err)
	}
}

// CheckLogsConnector checks a connector that reads logs and emits the signal to: it builds
// that connection without claiming to mutate the logs (so the collector need not copy them for
// it), and a pipeline pair it does not support fails at start-up with the collector's error.
func CheckLogsConnector(t testing.TB, f connector.Factory, to pipeline.Signal) {
	t.Helper()
	ctx, set, cfg := context.Background(), connectortest.NewNopSettings(f.Type()), f.CreateDefaultConfig()
	builds := map[pipeline.Signal]func() (component.Component, error){
		pipeline.SignalLogs: func() (component.Component, error) {
			return f.CreateLogsToLogs(ctx, set, cfg, consumertest.NewNop())
		},
		pipeline.SignalTraces: func() (component.Component, error) {
			return f.CreateLogsToTraces(ctx, set, cfg, consumertest.NewNop())
		},
		pipeline.SignalMetrics: func() (component.Component, error) {
			return f.CreateLogsToMetrics(ctx, set, cfg, consumertest.NewNop())
		},
	}
	for signal, build := range builds {
		c, err := build()
		switch {
		case signal != to && !errors.Is(err, pipeline.ErrSignalNotSupported):
			t.Errorf("logs to %s: %v, want pipeline.ErrSignalNotSupported", signal, err)
		case signal == to && err != nil:
			t.Fatalf("logs to %s: %v", signal, err)
		case signal == to && c.(consumer.Logs).Capabilities().MutatesData:
			t.Errorf("logs to %s: declares MutatesData; the collector would copy every batch for it", signal)
		}
	}
	// A connector that also takes traces says so with a stability level for it.
	c, err := f.CreateTracesToTraces(ctx, set, cfg, consumertest.NewNop())
	switch {
	case f.TracesToTracesStability() == component.StabilityLevelUndefined && !errors.Is(err, pipeline.ErrSignalNotSupported):
		t.Errorf("traces to traces: %v, want pipeline.ErrSignalNotSupported", err)
	case f.TracesToTracesStability() != component.StabilityLevelUndefined && err != nil:
		t.Fatalf("traces to traces: %v", err)
	case err == nil && c.Capabilities().MutatesData:
		t.Errorf("traces to traces: declares MutatesData; the collector would copy every batch for it")
	}
}

// NewTransformLogs starts the contrib transform processor with the given configuration, for
// side-by-side benchmarks against the closest OTTL.
func NewTransformLogs(t testing.TB, cfg map[string]any, next consumer.Logs) consumer.Logs {
	t.Helper()
	f := transformprocessor.NewFactory()
	c := f.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(cfg).Unmarshal(c); err != nil {
		t.Fatal(err)
	}
	return StartLogsProcessor(t, f, c, next)
}

// DefaultConfig returns f's default configuration after checking what the collector relies on
// for every component (mdatagen's generated test checks the struct itself): an empty section
// unmarshalled over it changes nothing, and it validates.
func DefaultConfig[C component.Config](t testing.TB, f component.Factory) C {
	t.Helper()
	cfg := f.CreateDefaultConfig()
	empty := f.CreateDefaultConfig()
	if err := confmap.New().Unmarshal(empty); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, empty) {
		t.Fatalf("an empty section changes the default configuration:\n%+v\n%+v", cfg, empty)
	}
	if err := xconfmap.Validate(cfg); err != nil {
		t.Fatalf("the default configuration does not validate: %v", err)
	}
	return cfg.(C)
}

// ComponentConfig is f's default configuration with the section <type>/<name> of
// testdata/config.yaml (the bare type for "") unmarshalled over it.
func ComponentConfig[C component.Config](t testing.TB, f component.Factory, name string) C {
	t.Helper()
	cfg := f.CreateDefaultConfig()
	LoadConfig(t, component.NewIDWithName(f.Type(), name), cfg)
	return cfg.(C)
}

// Eventually polls cond until it returns nil or timeout passes, then fails with the last error.
func Eventually(t testing.TB, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	err := errors.New("never checked")
	for time.Now().Before(deadline) {
		if err = cond(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s: %v", timeout, err)
}
