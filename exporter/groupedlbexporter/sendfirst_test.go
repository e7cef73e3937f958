// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
)

// newSendFirst is the exporter with queue_on_failure over an in-memory queue whose batches
// wait flush before they go: a record that reaches a gateway before that went there directly.
func newSendFirst(t *testing.T, flush time.Duration, endpoints ...string) exporter.Logs {
	t.Helper()
	return newSendFirstWith(t, flush, func(*Config) {}, endpoints...)
}

func newSendFirstWith(t *testing.T, flush time.Duration, edit func(*Config), endpoints ...string) exporter.Logs {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.QueueOnFailure = true
	cfg.Protocol.OTLP.ClientConfig.TLS.Insecure = true
	cfg.Resolver.Static = configoptional.Some(StaticResolver{Hostnames: endpoints})
	q := exporterhelper.NewDefaultQueueConfig()
	q.Batch = configoptional.Some(exporterhelper.BatchConfig{FlushTimeout: flush, MinSize: 1 << 20, MaxSize: 1 << 21, Sizer: exporterhelper.RequestSizerTypeItems})
	cfg.QueueSettings = configoptional.Some(q)
	cfg.BackOffConfig.InitialInterval = 50 * time.Millisecond
	cfg.BackOffConfig.MaxInterval = 100 * time.Millisecond
	edit(cfg)
	exp, err := NewFactory().CreateLogs(context.Background(), exportertest.NewNopSettings(Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

func received(gws ...*gateway) int {
	n := 0
	for _, g := range gws {
		for _, ld := range g.requests() {
			n += ld.LogRecordCount()
		}
	}
	return n
}

func eventuallyReceived(t *testing.T, want int, gws ...*gateway) {
	t.Helper()
	require.Eventually(t, func() bool { return received(gws...) == want }, 10*time.Second, 20*time.Millisecond,
		fmt.Sprintf("%d of %d records received", received(gws...), want))
}

// Gateways up: every batch is delivered before ConsumeLogs returns, never through the queue
// (whose batches would wait a minute).
func TestQueueOnFailureSendsFirst(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t)}
	exp := newSendFirst(t, time.Minute, gws[0].addr, gws[1].addr)
	for range 5 {
		require.NoError(t, exp.ConsumeLogs(context.Background(), batch(100, 40, 10)))
	}
	assert.Equal(t, 5*110, received(gws...), "delivered before ConsumeLogs returned")
}

// Gateways down: ConsumeLogs succeeds because the queue took the records, and the queue
// delivers them once the gateways are back. One gateway refusing: only its records are
// queued; the other's are delivered at once and once.
func TestQueueOnFailureQueuesOnlyWhatIsRefused(t *testing.T) {
	gws := []*gateway{startGateway(t), startGateway(t)}
	exp := newSendFirst(t, 100*time.Millisecond, gws[0].addr, gws[1].addr)

	gws[0].refuse, gws[1].refuse = true, true
	require.NoError(t, exp.ConsumeLogs(context.Background(), batch(100, 40, 0)), "the queue takes what the gateways refused")
	assert.Zero(t, received(gws...))
	gws[0].refuse, gws[1].refuse = false, false
	eventuallyReceived(t, 100, gws...)
	// A gateway counts records before the queue's send returns, and only the return tells
	// the exporter the gateways answer again.
	require.Eventually(t, func() bool { return !exp.(*sendFirst).queueing.Load() }, 5*time.Second, 5*time.Millisecond,
		"the queue delivered, yet batches still bypass the gateways")

	gws[1].refuse = true
	before := received(gws[0])
	require.NoError(t, exp.ConsumeLogs(context.Background(), batch(100, 40, 0)))
	assert.Positive(t, received(gws[0])-before, "the accepting gateway's records went to it directly")
	gws[1].refuse = false
	eventuallyReceived(t, 200, gws...)
	seen := map[int64]int{}
	for _, g := range gws {
		for _, ld := range g.requests() {
			for _, rl := range ld.ResourceLogs().All() {
				for _, rec := range rl.ScopeLogs().At(0).LogRecords().All() {
					i, _ := rec.Attributes().Get("i")
					seen[i.Int()]++
				}
			}
		}
	}
	for i := range 100 {
		assert.Equal(t, 2, seen[int64(i)], "record %d: once per batch", i)
	}
}

// A caller stopping mid-send (filelog on SIGTERM, its context cancelled) must not lose what
// it handed over: the queue takes the records although the context is done.
func TestQueueOnFailureKeepsRecordsOfACancelledCaller(t *testing.T) {
	gw := startGateway(t)
	gw.refuse = true
	exp := newSendFirst(t, 100*time.Millisecond, gw.addr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, exp.ConsumeLogs(ctx, batch(50, 10, 0)))
	gw.refuse = false
	eventuallyReceived(t, 50, gw)
}

// A gateway that accepts connections but never answers (a blackhole): the first batch waits for
// its timeout and goes to the queue; the batches after it go to the queue without trying, until
// the queue delivers again. Trying each would cost a timeout per batch, and reading would crawl.
func TestQueueOnFailureStopsTryingUntilTheQueueDelivers(t *testing.T) {
	gw := startBlockingGateway(t)
	exp := newSendFirstWith(t, time.Minute, func(cfg *Config) { cfg.TimeoutSettings.Timeout = 200 * time.Millisecond }, gw.addr)
	for range 5 {
		require.NoError(t, exp.ConsumeLogs(context.Background(), batch(20, 5, 0)))
	}
	assert.Len(t, gw.entered, 1, "one attempt, then straight to the queue")
}
