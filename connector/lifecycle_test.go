// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package connector_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans"
	"github.com/otelcol-mlops/otelcol-mlops/connector/mlmetrics"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// connectorUnderTest is a connector and how much it has handed on.
type connectorUnderTest struct {
	logs   consumer.Logs
	comp   component.Component
	handed func() int
}

// heldRecord is one record each connector holds until its next flush: a bridged log line of a
// job (legacy_spans opens a span for it) and an inference record (ml_metrics counts it).
func heldRecord() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "recommendation-model-prod")
	rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	res, _ := legacyid.Default.Map("job-42")
	rec.SetTraceID(res.TraceID)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	rec.Attributes().PutStr(legacyid.AttrTraceID, "job-42")
	body := rec.Body().SetEmptyMap()
	body.PutStr("event_type", "inference_complete")
	meta := body.PutEmptyMap("model_metadata")
	meta.PutStr("model_name", "bert")
	meta.PutStr("model_version", "1")
	body.PutEmptyMap("inference_metrics").PutDouble("latency_ms", 12)
	return ld
}

func connectors(t *testing.T) map[string]func() connectorUnderTest {
	return map[string]func() connectorUnderTest{
		"legacy_spans": func() connectorUnderTest {
			f := legacyspans.NewFactory()
			sink := &consumertest.TracesSink{}
			c, err := f.CreateLogsToTraces(context.Background(), connectortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), sink)
			require.NoError(t, err)
			return connectorUnderTest{logs: c, comp: c, handed: sink.SpanCount}
		},
		"ml_metrics": func() connectorUnderTest {
			f := mlmetrics.NewFactory()
			sink := &consumertest.MetricsSink{}
			c, err := f.CreateLogsToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), sink)
			require.NoError(t, err)
			return connectorUnderTest{logs: c, comp: c, handed: sink.DataPointCount}
		},
	}
}

// What the collector may do to a connector: shut it down without starting it (another
// component failed to start), shut it down twice, or with a deadline already passed.
func TestConnectorLifecycles(t *testing.T) {
	for name, create := range connectors(t) {
		t.Run(name+"/shutdown without start", func(t *testing.T) {
			c := create()
			assert.NoError(t, c.comp.Shutdown(context.Background()))
		})
		t.Run(name+"/start, shutdown twice", func(t *testing.T) {
			c := create()
			require.NoError(t, c.comp.Start(context.Background(), componenttest.NewNopHost()))
			assert.NoError(t, c.comp.Shutdown(context.Background()))
			assert.NoError(t, c.comp.Shutdown(context.Background()))
		})
		// The collector's shutdown deadline has passed: Shutdown still returns (no wait on the
		// dead context hangs it), reports at most the context's error, and still hands on what
		// the connector held; nothing it accepted is dropped for lack of time.
		t.Run(name+"/shutdown past its deadline hands on what it held", func(t *testing.T) {
			c := create()
			require.NoError(t, c.comp.Start(context.Background(), componenttest.NewNopHost()))
			require.NoError(t, c.logs.ConsumeLogs(context.Background(), heldRecord()))
			require.Zero(t, c.handed(), "held until the next flush")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			done := make(chan error, 1)
			go func() { done <- c.comp.Shutdown(ctx) }()
			select {
			case err := <-done:
				if err != nil {
					assert.True(t, errors.Is(err, context.Canceled), "only the context's error: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Shutdown with a passed deadline did not return")
			}
			assert.Positive(t, c.handed(), "what it held was handed on")
		})
	}
}
