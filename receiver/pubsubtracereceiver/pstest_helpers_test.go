// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

const project = "mlops-demo"

// fakePubSub is Google's in-process Pub/Sub server with a client for setting it up.
type fakePubSub struct {
	srv    *pstest.Server
	client *pubsub.Client
}

func newFakePubSub(t testing.TB) *fakePubSub {
	srv := pstest.NewServer()
	client, err := pubsub.NewClient(context.Background(), project,
		option.WithEndpoint(srv.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = client.Close()
		_ = srv.Close()
	})
	return &fakePubSub{srv: srv, client: client}
}

// fastClock makes pstest's clock run 20 times faster, so leases expire within a fraction of a
// second. The v2 client may send a message's receipt modack after a quick nack of it, and
// pstest reuses one ack ID for every delivery of a message, so the nack is undone and the
// message waits out its (minimum 10 s) ack deadline before redelivery; tests of redelivery
// would otherwise take 10 s per attempt.
func (f *fakePubSub) fastClock(t testing.TB) {
	base := time.Now()
	f.srv.SetTimeNowFunc(func() time.Time { return base.Add(20 * time.Since(base)) })
}

func (f *fakePubSub) topic(t testing.TB, id string) {
	_, err := f.client.TopicAdminClient.CreateTopic(context.Background(), &pubsubpb.Topic{Name: "projects/" + project + "/topics/" + id})
	require.NoError(t, err)
}

func (f *fakePubSub) subscription(t testing.TB, id, topic string, edit ...func(*pubsubpb.Subscription)) {
	s := &pubsubpb.Subscription{
		Name:               "projects/" + project + "/subscriptions/" + id,
		Topic:              "projects/" + project + "/topics/" + topic,
		AckDeadlineSeconds: 10,
	}
	for _, e := range edit {
		e(s)
	}
	_, err := f.client.SubscriptionAdminClient.CreateSubscription(context.Background(), s)
	require.NoError(t, err)
}

func (f *fakePubSub) publish(t testing.TB, topic string, data string, attrs map[string]string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := f.client.Publisher(topic).Publish(ctx, &pubsub.Message{Data: []byte(data), Attributes: attrs}).Get(ctx)
	require.NoError(t, err)
	return id
}

func (f *fakePubSub) acks(id string) int {
	m := f.srv.Message(id)
	if m == nil {
		return 0
	}
	return m.Acks
}

func (f *fakePubSub) deliveries(id string) int {
	m := f.srv.Message(id)
	if m == nil {
		return 0
	}
	return m.Deliveries
}

// jobsTap creates the topic "jobs" with the subscription "tap" and returns a receiver
// configuration reading "tap".
func (f *fakePubSub) jobsTap(t testing.TB) *Config {
	f.topic(t, "jobs")
	f.subscription(t, "tap", "jobs")
	return f.config(SubscriptionConfig{Name: "tap"})
}

func (f *fakePubSub) config(subs ...SubscriptionConfig) *Config {
	cfg := createDefaultConfig()
	cfg.Project = project
	cfg.Endpoint = f.srv.Addr
	cfg.Insecure = true
	cfg.Subscriptions = subs
	return cfg
}

// collector records what the pipeline accepted, and can refuse.
type collector struct {
	mu     sync.Mutex
	spans  []ptrace.Span
	logs   []plog.LogRecord
	refuse func(ptrace.Span) error // nil: accept everything
}

func (c *collector) consumeTraces(_ context.Context, td ptrace.Traces) error {
	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	if c.refuse != nil { // called without c.mu: it may block, and tests read c meanwhile
		if err := c.refuse(span); err != nil {
			return err
		}
	}
	kept := ptrace.NewSpan()
	span.CopyTo(kept)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spans = append(c.spans, kept)
	return nil
}

func (c *collector) consumeLogs(_ context.Context, ld plog.Logs) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec := plog.NewLogRecord()
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).CopyTo(rec)
	c.logs = append(c.logs, rec)
	return nil
}

func (c *collector) spanCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.spans)
}

func (c *collector) spansCopy() []ptrace.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ptrace.Span(nil), c.spans...)
}

type running struct {
	tel  *componenttest.Telemetry
	rcv  receiver.Traces
	stop func() error
}

// start starts the receiver for traces (and logs when withLogs) into c.
func start(t testing.TB, cfg *Config, c *collector, withLogs bool) *running {
	tel := componenttest.NewTelemetry()
	set := receivertest.NewNopSettings(Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	f := NewFactory()
	traces, err := consumer.NewTraces(c.consumeTraces)
	require.NoError(t, err)
	rcv, err := f.CreateTraces(context.Background(), set, cfg, traces)
	require.NoError(t, err)
	var logsRcv receiver.Logs
	if withLogs {
		logs, err := consumer.NewLogs(c.consumeLogs)
		require.NoError(t, err)
		logsRcv, err = f.CreateLogs(context.Background(), set, cfg, logs)
		require.NoError(t, err)
	}
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	if logsRcv != nil {
		require.NoError(t, logsRcv.Start(context.Background(), componenttest.NewNopHost()))
	}
	r := &running{tel: tel, rcv: rcv}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if logsRcv != nil {
				_ = logsRcv.Shutdown(ctx)
			}
			_ = rcv.Shutdown(ctx)
		}
		_ = tel.Shutdown(context.Background())
	})
	stopFn := func() error {
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if logsRcv != nil {
			if err := logsRcv.Shutdown(ctx); err != nil {
				return err
			}
		}
		return rcv.Shutdown(ctx)
	}
	r.stop = stopFn
	return r
}

// eventually is testutil.Eventually for a yes/no condition with a message.
func eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	testutil.Eventually(t, timeout, func() error {
		if cond() {
			return nil
		}
		return fmt.Errorf(msg, args...)
	})
}

func receiverSettingsForLogsOnly() receiver.Settings {
	set := receivertest.NewNopSettings(Type)
	set.ID = component.NewIDWithName(Type, "logs_only")
	return set
}

var errDiscard = consumererror.NewPermanent(errors.New("discarded by the benchmark"))

// isShared reports whether the factory still holds a receiver for id.
func isShared(id component.ID) bool {
	receiversMu.Lock()
	defer receiversMu.Unlock()
	_, ok := receivers[id]
	return ok
}
