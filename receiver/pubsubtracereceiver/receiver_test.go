// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

const jobUUID = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"

func attr(t *testing.T, m pcommon.Map, key string) string {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, "attribute %s missing", key)
	return v.AsString()
}

func (r *running) counter(t testing.TB, name string, attrs map[string]string) int64 {
	t.Helper()
	return testutil.Counter(t, r.tel, name, attrs)
}

// The seed's API publishes a JSON job with a trace_id attribute holding the UI's UUID; the
// receive span must land in the trace that UUID maps to, timed from publish to receive.
func TestSeedPublisherShape(t *testing.T) {
	ps := newFakePubSub(t)
	ps.topic(t, "training-jobs")
	ps.subscription(t, "training-jobs-tap", "training-jobs")
	published := time.Now().Add(-3 * time.Second).UTC().Truncate(time.Millisecond)
	ps.srv.SetTimeNowFunc(func() time.Time { return published })
	body := `{"model_name": "fail-me", "dataset_id": "ds-42", "request_time": "Tue, 14 May 2024 10:03:21 GMT"}`
	id := ps.publish(t, "training-jobs", body, map[string]string{"trace_id": jobUUID})
	ps.srv.SetTimeNowFunc(time.Now)

	c := &collector{}
	r := start(t, ps.config(SubscriptionConfig{Name: "training-jobs-tap", Logs: true}), c, true)
	eventually(t, 10*time.Second, func() bool { return ps.acks(id) == 1 }, "message not acked")

	spans := c.spansCopy()
	require.Len(t, spans, 1)
	span := spans[0]
	want, _ := legacyid.Default.Map(jobUUID)
	assert.Equal(t, pcommon.TraceID(want.TraceID), span.TraceID(), "the receive span is in the UI's trace")
	assert.True(t, span.ParentSpanID().IsEmpty(), "a legacy ID gives a trace, not a parent")
	assert.Equal(t, pcommon.SpanID(legacyid.DeriveReceiveSpanID(want.TraceID, "training-jobs-tap")), span.SpanID(),
		"the trace's first message on the subscription has the span ID legacy_spans hops derive")
	assert.Equal(t, "training-jobs-tap receive", span.Name())
	assert.Equal(t, ptrace.SpanKindConsumer, span.Kind())
	assert.Equal(t, published, span.StartTimestamp().AsTime().UTC(), "start is the publish time")
	assert.GreaterOrEqual(t, span.EndTimestamp().AsTime().Sub(span.StartTimestamp().AsTime()), 3*time.Second, "duration is the time spent queued")
	assert.Equal(t, ptrace.StatusCodeUnset, span.Status().Code())
	a := span.Attributes()
	assert.Equal(t, "gcp_pubsub", attr(t, a, "messaging.system"))
	assert.Equal(t, "training-jobs", attr(t, a, "messaging.destination.name"), "looked up from the subscription")
	assert.Equal(t, "training-jobs-tap", attr(t, a, "messaging.destination.subscription.name"))
	assert.Equal(t, id, attr(t, a, "messaging.message.id"))
	assert.Equal(t, fmt.Sprint(len(body)), attr(t, a, "messaging.message.body.size"))
	assert.Equal(t, jobUUID, attr(t, a, "messaging.gcp_pubsub.message.attribute.trace_id"))
	assert.Equal(t, jobUUID, attr(t, a, "legacy.trace_id"))
	assert.Equal(t, "uuid", attr(t, a, "legacy.trace_id.format"))

	eventually(t, 5*time.Second, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.logs) == 1 }, "no log record")
	rec := c.logs[0]
	assert.Equal(t, span.TraceID(), rec.TraceID())
	assert.Equal(t, span.SpanID(), rec.SpanID(), "the payload log belongs to the receive span")
	model, ok := rec.Body().Map().Get("model_name")
	require.True(t, ok, "JSON payload parsed into a map body")
	assert.Equal(t, "fail-me", model.Str())

	assert.Equal(t, int64(1), r.counter(t, "otelcol_receiver_pubsub_trace_received", nil))
	assert.Equal(t, int64(1), r.counter(t, "otelcol_receiver_pubsub_trace_acked", nil))
}

func TestTraceContextPrecedence(t *testing.T) {
	const (
		googParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
		w3cParent  = "00-11111111111111111111111111111111-2222222222222222-01"
	)
	hash, _ := legacyid.Default.Map("xyz-123")
	cases := []struct {
		name        string
		attrs       map[string]string
		trace       string
		parent      string
		legacyValue string
	}{
		{"googclient_traceparent wins", map[string]string{"googclient_traceparent": googParent, "traceparent": w3cParent, "trace_id": jobUUID}, "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", ""},
		{"traceparent before legacy", map[string]string{"traceparent": w3cParent, "trace_id": jobUUID}, "11111111111111111111111111111111", "2222222222222222", ""},
		{"X-Trace-ID opaque", map[string]string{"X-Trace-ID": "xyz-123"}, legacyid.FormatHex(hash.TraceID), "", "xyz-123"},
		{"sentinel skipped", map[string]string{"trace_id": "NO_TRACE_ID", "request_id": jobUUID}, "4bf92f3577b34da6a3ce929d0e0e4736", "", jobUUID},
	}
	ps := newFakePubSub(t)
	ps.jobsTap(t)
	c := &collector{}
	start(t, ps.config(SubscriptionConfig{Name: "tap"}), c, false)
	ids := map[string]int{}
	for i, tc := range cases {
		ids[ps.publish(t, "jobs", "{}", tc.attrs)] = i
	}
	noContext := ps.publish(t, "jobs", "{}", nil)
	eventually(t, 10*time.Second, func() bool { return c.spanCount() == len(cases)+1 }, "spans missing")
	for _, span := range c.spansCopy() {
		id := attr(t, span.Attributes(), "messaging.message.id")
		if id == noContext {
			assert.False(t, span.TraceID().IsEmpty(), "a message without context starts its own trace")
			assert.True(t, span.ParentSpanID().IsEmpty())
			continue
		}
		tc := cases[ids[id]]
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.trace, span.TraceID().String())
			if tc.parent == "" {
				assert.True(t, span.ParentSpanID().IsEmpty())
			} else {
				assert.Equal(t, tc.parent, span.ParentSpanID().String(), "the receive span is the publisher span's child")
			}
			v, ok := span.Attributes().Get("legacy.trace_id")
			assert.Equal(t, tc.legacyValue != "", ok)
			if ok {
				assert.Equal(t, tc.legacyValue, v.Str())
			}
		})
	}
}

func TestAttributeFilterAndCaps(t *testing.T) {
	ps := newFakePubSub(t)
	cfg := ps.jobsTap(t)
	cfg.Attributes = AttributesConfig{Prefix: "job.", Exclude: []string{"api_key"}, MaxCount: 3, MaxValueLength: 8}
	attrs := map[string]string{"api_key": "secret", "a": "1", "b": "0123456789abc", "c": "3", "d": "4"}
	for i := range 100 {
		attrs[fmt.Sprintf("z%03d", i)] = "x"
	}
	c := &collector{}
	start(t, cfg, c, false)
	ps.publish(t, "jobs", "{}", attrs)
	eventually(t, 10*time.Second, func() bool { return c.spanCount() == 1 }, "no span")
	a := c.spansCopy()[0].Attributes()
	_, leaked := a.Get("job.api_key")
	assert.False(t, leaked, "excluded attribute copied")
	assert.Equal(t, "1", attr(t, a, "job.a"))
	assert.Equal(t, "01234567", attr(t, a, "job.b"), "value capped")
	assert.Equal(t, "3", attr(t, a, "job.c"))
	_, fourth := a.Get("job.d")
	assert.False(t, fourth, "count capped at 3")

	ps2 := newFakePubSub(t)
	ps2.topic(t, "jobs")
	ps2.subscription(t, "tap", "jobs")
	cfg2 := ps2.config(SubscriptionConfig{Name: "tap"})
	cfg2.Attributes.Include = []string{"model_name"}
	c2 := &collector{}
	start(t, cfg2, c2, false)
	ps2.publish(t, "jobs", "{}", map[string]string{"model_name": "resnet", "token": "t"})
	eventually(t, 10*time.Second, func() bool { return c2.spanCount() == 1 }, "no span")
	a2 := c2.spansCopy()[0].Attributes()
	assert.Equal(t, "resnet", attr(t, a2, "messaging.gcp_pubsub.message.attribute.model_name"))
	_, other := a2.Get("messaging.gcp_pubsub.message.attribute.token")
	assert.False(t, other, "only included keys are copied")
}

// A pipeline that fails N times: the message is nacked, redelivered, and acked exactly when
// the pipeline finally accepts its span.
// Two jobs of one trace on a subscription: one receive span has the derived span ID, the other
// a random one, and with publisher_service both hang under the publisher's synthesised span.
// A publisher that propagated W3C context keeps its own span as parent.
func TestReceiveSpanIDsAndPublisherParent(t *testing.T) {
	ps := newFakePubSub(t)
	ps.jobsTap(t)
	first := ps.publish(t, "jobs", `{"model_name": "a"}`, map[string]string{"trace_id": jobUUID})
	second := ps.publish(t, "jobs", `{"model_name": "b"}`, map[string]string{"trace_id": jobUUID})
	w3c := ps.publish(t, "jobs", `{"model_name": "c"}`, map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
	c := &collector{}
	start(t, ps.config(SubscriptionConfig{Name: "tap", PublisherService: "azure-function-api"}), c, false)
	eventually(t, 10*time.Second, func() bool { return ps.acks(first)+ps.acks(second)+ps.acks(w3c) == 3 }, "messages not acked")

	want, _ := legacyid.Default.Map(jobUUID)
	derived := pcommon.SpanID(legacyid.DeriveReceiveSpanID(want.TraceID, "tap"))
	publisher := pcommon.SpanID(legacyid.DeriveSpanID(want.TraceID, "azure-function-api"))
	var withDerived, legacy int
	for _, span := range c.spansCopy() {
		if span.TraceID() != pcommon.TraceID(want.TraceID) {
			assert.Equal(t, "b7ad6b7169203331", span.ParentSpanID().String(), "W3C context wins over publisher_service")
			continue
		}
		legacy++
		assert.Equal(t, publisher, span.ParentSpanID(), "the receive span hangs under the publisher's span")
		if span.SpanID() == derived {
			withDerived++
		}
	}
	assert.Equal(t, 2, legacy)
	assert.Equal(t, 1, withDerived, "exactly one message of the trace owns the derived span ID")
}

func TestNackAndRedeliveryOnPipelineError(t *testing.T) {
	ps := newFakePubSub(t)
	ps.fastClock(t)
	ps.jobsTap(t)
	var refusals atomic.Int32
	c := &collector{refuse: func(ptrace.Span) error {
		if refusals.Add(1) <= 3 {
			return errors.New("exporter queue full")
		}
		return nil
	}}
	r := start(t, ps.config(SubscriptionConfig{Name: "tap"}), c, false)
	id := ps.publish(t, "jobs", `{"model_name": "resnet"}`, map[string]string{"trace_id": jobUUID})
	eventually(t, 30*time.Second, func() bool { return ps.acks(id) == 1 }, "message never acked")
	assert.Equal(t, 1, c.spanCount(), "one accepted span")
	want, _ := legacyid.Default.Map(jobUUID)
	assert.Equal(t, pcommon.SpanID(legacyid.DeriveReceiveSpanID(want.TraceID, "tap")), c.spansCopy()[0].SpanID(),
		"a redelivered message keeps the derived span ID it claimed when it was refused")
	assert.GreaterOrEqual(t, ps.deliveries(id), 4, "redelivered after each refusal")
	assert.Equal(t, int64(3), r.counter(t, "otelcol_receiver_pubsub_trace_nacked", map[string]string{"reason": "pipeline_error"}))
	assert.Equal(t, int64(1), r.counter(t, "otelcol_receiver_pubsub_trace_acked", nil))
}

func TestPermanentError(t *testing.T) {
	for _, action := range []string{ActionAck, ActionNack} {
		t.Run(action, func(t *testing.T) {
			ps := newFakePubSub(t)
			ps.fastClock(t)
			cfg := ps.jobsTap(t)
			cfg.OnPermanentError = action
			c := &collector{refuse: func(ptrace.Span) error { return consumererror.NewPermanent(errors.New("schema rejected")) }}
			r := start(t, cfg, c, false)
			id := ps.publish(t, "jobs", "{}", nil)
			if action == ActionAck {
				eventually(t, 10*time.Second, func() bool { return ps.acks(id) == 1 }, "not acked")
				assert.Equal(t, int64(1), r.counter(t, "otelcol_receiver_pubsub_trace_dropped", map[string]string{"reason": "permanent_error"}))
				return
			}
			eventually(t, 10*time.Second, func() bool { return ps.deliveries(id) >= 2 }, "not redelivered")
			assert.Equal(t, 0, ps.acks(id), "nothing acked early")
			assert.Positive(t, r.counter(t, "otelcol_receiver_pubsub_trace_nacked", map[string]string{"reason": "permanent_error"}))
		})
	}
}

// The tap recipe with a dead-letter topic: a job the pipeline keeps refusing exhausts its
// attempts, Pub/Sub moves it to the dead-letter topic, and the dead-letter tap turns it into
// an error span.
func TestDeadLetterTap(t *testing.T) {
	ps := newFakePubSub(t)
	ps.fastClock(t)
	ps.topic(t, "jobs")
	ps.topic(t, "jobs-dead-letter")
	ps.subscription(t, "tap", "jobs", func(s *pubsubpb.Subscription) {
		s.DeadLetterPolicy = &pubsubpb.DeadLetterPolicy{DeadLetterTopic: "projects/" + project + "/topics/jobs-dead-letter", MaxDeliveryAttempts: 5}
	})
	ps.subscription(t, "dead-letter-tap", "jobs-dead-letter")
	var attempts []int64
	var mu sync.Mutex
	c := &collector{refuse: func(span ptrace.Span) error {
		sub, _ := span.Attributes().Get("messaging.destination.subscription.name")
		if sub.Str() != "tap" {
			return nil
		}
		n, _ := span.Attributes().Get("messaging.gcp_pubsub.message.delivery_attempt")
		mu.Lock()
		attempts = append(attempts, n.Int())
		mu.Unlock()
		return errors.New("worker pool down")
	}}
	start(t, ps.config(SubscriptionConfig{Name: "tap"}, SubscriptionConfig{Name: "dead-letter-tap", DeadLetter: true}), c, false)
	ps.publish(t, "jobs", `{"model_name": "fail-me"}`, map[string]string{"trace_id": jobUUID})
	eventually(t, 60*time.Second, func() bool { return c.spanCount() == 1 }, "no dead-letter span")
	span := c.spansCopy()[0]
	assert.Equal(t, "dead-letter-tap receive", span.Name())
	assert.Equal(t, ptrace.StatusCodeError, span.Status().Code())
	assert.Contains(t, span.Status().Message(), "dead-lettered")
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", span.TraceID().String(), "the dead job stays in its trace")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, attempts, "delivery attempts are recorded")
}

// Shut down with messages in flight: nothing acked is lost, nothing unaccepted is acked, and a
// new receiver picks up the rest.
func TestNoLossAcrossShutdown(t *testing.T) {
	ps := newFakePubSub(t)
	ps.fastClock(t)
	ps.jobsTap(t)
	const n = 60
	var ids []string
	for i := range n {
		ids = append(ids, ps.publish(t, "jobs", fmt.Sprintf(`{"job": %d}`, i), nil))
	}
	accepted := map[string]bool{}
	var mu sync.Mutex
	slow := func(span ptrace.Span) error {
		time.Sleep(30 * time.Millisecond)
		id, _ := span.Attributes().Get("messaging.message.id")
		mu.Lock()
		accepted[id.Str()] = true
		mu.Unlock()
		return nil
	}
	first := &collector{refuse: slow}
	cfg1 := ps.config(SubscriptionConfig{Name: "tap"})
	cfg1.FlowControl.MaxOutstandingMessages = 5 // a few in flight at shutdown, the rest still queued
	r1 := start(t, cfg1, first, false)
	eventually(t, 10*time.Second, func() bool { return first.spanCount() >= 10 }, "first receiver too slow")
	require.NoError(t, r1.stop(), "shutdown finishes in-flight work")
	for _, id := range ids {
		if ps.acks(id) > 0 {
			mu.Lock()
			assert.True(t, accepted[id], "message %s acked but never accepted", id)
			mu.Unlock()
		}
	}
	second := &collector{refuse: slow}
	start(t, ps.config(SubscriptionConfig{Name: "tap"}), second, false)
	eventually(t, 30*time.Second, func() bool {
		for _, id := range ids {
			if ps.acks(id) == 0 {
				return false
			}
		}
		return true
	}, "not every message was eventually acked")
	assert.Positive(t, second.spanCount(), "the second receiver had work left to do")
	assert.Less(t, first.spanCount(), n, "the first receiver stopped pulling at shutdown")
	mu.Lock()
	for _, id := range ids {
		assert.True(t, accepted[id], "message %s lost", id)
	}
	mu.Unlock()
	t.Logf("first receiver accepted %d, second %d (duplicates allowed: %d)", first.spanCount(), second.spanCount(), first.spanCount()+second.spanCount()-n)
}

func TestFlowControl(t *testing.T) {
	ps := newFakePubSub(t)
	cfg := ps.jobsTap(t)
	cfg.FlowControl.MaxOutstandingMessages = 3
	var inFlight, peak atomic.Int32
	c := &collector{}
	gate := func(ptrace.Span) error {
		now := inFlight.Add(1)
		for {
			p := peak.Load()
			if now <= p || peak.CompareAndSwap(p, now) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		return nil
	}
	c.refuse = gate
	for i := range 30 {
		ps.publish(t, "jobs", fmt.Sprint(i), nil)
	}
	start(t, cfg, c, false)
	eventually(t, 30*time.Second, func() bool { return c.spanCount() == 30 }, "not all messages processed")
	assert.LessOrEqual(t, peak.Load(), int32(3), "more messages outstanding than max_outstanding_messages")
	assert.Greater(t, peak.Load(), int32(1), "messages are processed concurrently up to the limit")
}

func TestMalformedPayload(t *testing.T) {
	for _, action := range []string{ActionNack, ActionAck, ActionKeep} {
		t.Run(action, func(t *testing.T) {
			ps := newFakePubSub(t)
			ps.fastClock(t)
			ps.jobsTap(t)
			cfg := ps.config(SubscriptionConfig{Name: "tap", Logs: true})
			cfg.OnDecodeError = action
			c := &collector{}
			r := start(t, cfg, c, true)
			id := ps.publish(t, "jobs", `{"model_name": "fail-me", oops}`, nil)
			switch action {
			case ActionNack:
				eventually(t, 10*time.Second, func() bool { return ps.deliveries(id) >= 2 }, "not redelivered")
				assert.Equal(t, 0, ps.acks(id))
				assert.Equal(t, 0, c.spanCount())
				assert.Positive(t, r.counter(t, "otelcol_receiver_pubsub_trace_decode_errors", nil))
				assert.Positive(t, r.counter(t, "otelcol_receiver_pubsub_trace_nacked", map[string]string{"reason": "decode_error"}))
			case ActionAck:
				eventually(t, 10*time.Second, func() bool { return ps.acks(id) == 1 }, "not acked")
				assert.Equal(t, 1, c.spanCount(), "the span still goes out")
				assert.Empty(t, c.logs, "the undecodable payload does not")
				assert.Equal(t, int64(1), r.counter(t, "otelcol_receiver_pubsub_trace_dropped", map[string]string{"reason": "decode_error"}))
			case ActionKeep:
				eventually(t, 10*time.Second, func() bool { return ps.acks(id) == 1 }, "not acked")
				require.Len(t, c.logs, 1)
				assert.Equal(t, `{"model_name": "fail-me", oops}`, c.logs[0].Body().Str())
				_, tagged := c.logs[0].Attributes().Get("pubsub.payload.decode_error")
				assert.True(t, tagged)
			}
		})
	}
}

func TestStartRefusesSpansWithNowhereToGo(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Project = project
	cfg.Endpoint, cfg.Insecure = "127.0.0.1:1", true
	cfg.Subscriptions = []SubscriptionConfig{{Name: "tap"}}
	f := NewFactory()
	set := receiverSettingsForLogsOnly()
	rcv, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = rcv.Start(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "would be acked with no telemetry")
}

// Shutdown without Start (a pipeline that failed to start) leaves no negative count behind,
// and a shut-down receiver is forgotten: the next create builds a fresh one.
func TestLifecycleShutdownBeforeStartAndForget(t *testing.T) {
	ps := newFakePubSub(t)
	cfg := ps.jobsTap(t)
	f := NewFactory()
	set := receivertest.NewNopSettings(Type)
	rcv, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, rcv.Shutdown(context.Background()))
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	r := rcv.(*pubsubReceiver)
	r.mu.Lock()
	assert.Equal(t, 1, r.starts, "the early Shutdown did not count")
	r.mu.Unlock()
	require.NoError(t, rcv.Shutdown(context.Background()))
	assert.False(t, isShared(set.ID), "a shut-down receiver is forgotten")
}

// A Pub/Sub that accepts connections and never answers (a firewall that black-holes, an
// emulator still starting) does not hold the collector's start-up: Start returns while the
// subscriptions' topic lookups (10 s each) are still waiting, and Shutdown stops them.
func TestStartDoesNotWaitForPubSub(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	go func() {
		var held []net.Conn // held open, never answered
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, conn)
		}
	}()
	cfg := createDefaultConfig()
	cfg.Project = project
	cfg.Endpoint, cfg.Insecure = ln.Addr().String(), true
	cfg.Subscriptions = []SubscriptionConfig{{Name: "jobs-tap"}, {Name: "dead-letter-tap", DeadLetter: true}}
	rcv, err := NewFactory().CreateTraces(context.Background(), receivertest.NewNopSettings(Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	started := make(chan error, 1)
	go func() { started <- rcv.Start(context.Background(), componenttest.NewNopHost()) }()
	select {
	case err := <-started:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Start waits for an unreachable Pub/Sub")
	}
	require.NoError(t, rcv.Shutdown(context.Background()))
}
