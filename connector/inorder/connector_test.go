// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package inorder

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-mlops/otelcol-mlops/connector/inorder/internal/metadatatest"
)

var (
	store   = pipeline.NewIDWithName(pipeline.SignalLogs, "elasticsearch")
	derived = pipeline.NewIDWithName(pipeline.SignalLogs, "derived")
)

// journal records which pipeline saw which batch, in order.
type journal struct {
	mu   sync.Mutex
	seen []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seen = append(j.seen, s)
}

// stage is a pipeline that notes each batch and answers with the next of its refusals (nil
// once they run out).
func stage(j *journal, name string, refusals ...error) consumer.Logs {
	c, _ := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
		j.add(name + ":" + ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())
		if len(refusals) == 0 {
			return nil
		}
		err := refusals[0]
		refusals = refusals[1:]
		return err
	})
	return c
}

func logs(body string, n int) plog.Logs {
	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for range n {
		recs.AppendEmpty().Body().SetStr(body)
	}
	return ld
}

func start(t *testing.T, pipelines map[pipeline.ID]consumer.Logs) (connector.Logs, *componenttest.Telemetry) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	c, err := NewFactory().CreateLogsToLogs(context.Background(), metadatatest.NewSettings(tel),
		&Config{Pipelines: []pipeline.ID{store, derived}}, connector.NewLogsRouter(pipelines))
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, c.Shutdown(context.Background())) })
	return c, tel
}

func withheld(t *testing.T, tel *componenttest.Telemetry, n int64) {
	t.Helper()
	if n == 0 {
		_, err := tel.GetMetric("otelcol_connector_in_order_withheld")
		require.Error(t, err, "nothing withheld, nothing counted")
		return
	}
	metadatatest.AssertEqualConnectorInOrderWithheld(t, tel, []metricdata.DataPoint[int64]{{Value: n}}, metricdatatest.IgnoreTimestamp())
}

func TestEveryPipelineInTurn(t *testing.T) {
	j := &journal{}
	c, tel := start(t, map[pipeline.ID]consumer.Logs{store: stage(j, "store"), derived: stage(j, "derived")})
	require.NoError(t, c.ConsumeLogs(context.Background(), logs("a", 3)))
	require.NoError(t, c.ConsumeLogs(context.Background(), logs("b", 3)))
	assert.Equal(t, []string{"store:a", "derived:a", "store:b", "derived:b"}, j.seen)
	withheld(t, tel, 0)
}

// A sender retries what the store refused: the derived pipeline sees the batch once, when the
// store takes it, however many attempts that took.
func TestRetriedBatchReachesTheDerivedPipelineOnce(t *testing.T) {
	j := &journal{}
	outage := errors.New("503 from Elasticsearch")
	c, tel := start(t, map[pipeline.ID]consumer.Logs{store: stage(j, "store", outage, outage), derived: stage(j, "derived")})
	attempts := 0
	for {
		attempts++
		err := c.ConsumeLogs(context.Background(), logs("a", 5))
		if err == nil {
			break
		}
		require.ErrorIs(t, err, outage)
		assert.False(t, consumererror.IsPermanent(err), "retryable, as the store said")
	}
	assert.Equal(t, 3, attempts)
	assert.Equal(t, []string{"store:a", "store:a", "store:a", "derived:a"}, j.seen)
	withheld(t, tel, 10)
}

func TestRefusalsKeepTheirKind(t *testing.T) {
	partial := consumererror.NewLogs(errors.New("some refused"), logs("a", 1))
	for name, refusal := range map[string]error{
		"permanent": consumererror.NewPermanent(errors.New("mapping")),
		"partial":   partial,
	} {
		t.Run(name, func(t *testing.T) {
			j := &journal{}
			c, _ := start(t, map[pipeline.ID]consumer.Logs{store: stage(j, "store", refusal), derived: stage(j, "derived")})
			err := c.ConsumeLogs(context.Background(), logs("a", 2))
			assert.Equal(t, refusal, err)
			assert.Equal(t, []string{"store:a"}, j.seen)
		})
	}
}

// A refusal by the last pipeline still reaches the sender (it is not dropped), but nothing
// is withheld: every pipeline saw the batch.
func TestLastPipelineRefusing(t *testing.T) {
	j := &journal{}
	refused := errors.New("derived refused")
	c, tel := start(t, map[pipeline.ID]consumer.Logs{store: stage(j, "store"), derived: stage(j, "derived", refused)})
	require.ErrorIs(t, c.ConsumeLogs(context.Background(), logs("a", 2)), refused)
	assert.Equal(t, []string{"store:a", "derived:a"}, j.seen)
	withheld(t, tel, 0)
}

func TestPipelineNotFedByTheConnector(t *testing.T) {
	_, err := NewFactory().CreateLogsToLogs(context.Background(), connectortest.NewNopSettings(Type),
		&Config{Pipelines: []pipeline.ID{store, derived}},
		connector.NewLogsRouter(map[pipeline.ID]consumer.Logs{store: consumertest.NewNop()}))
	require.ErrorContains(t, err, `"logs/derived"`)
	require.ErrorContains(t, err, "must list in_order among its receivers")

	_, err = NewFactory().CreateLogsToLogs(context.Background(), connectortest.NewNopSettings(Type),
		&Config{Pipelines: []pipeline.ID{store, derived}}, consumertest.NewNop())
	require.ErrorContains(t, err, "expected a logs router")
}

func BenchmarkConsumeLogs(b *testing.B) {
	tel := componenttest.NewTelemetry()
	c, err := NewFactory().CreateLogsToLogs(context.Background(), metadatatest.NewSettings(tel),
		&Config{Pipelines: []pipeline.ID{store, derived}},
		connector.NewLogsRouter(map[pipeline.ID]consumer.Logs{store: consumertest.NewNop(), derived: consumertest.NewNop()}))
	require.NoError(b, err)
	ld := logs("a", 100)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.ConsumeLogs(context.Background(), ld)
	}
}
