// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// BenchmarkReceive is messages/s from Google's in-process pstest server through the receiver
// into a no-op consumer, acks included. pstest's own cost is part of the figure.
func BenchmarkReceive(b *testing.B) {
	ps := newFakePubSub(b)
	ps.topic(b, "jobs")
	ps.subscription(b, "tap", "jobs")
	attrs := map[string]string{"trace_id": jobUUID, "model_name": "resnet50"}
	pub := ps.client.Publisher("jobs")
	var results []*pubsub.PublishResult
	for range b.N {
		results = append(results, pub.Publish(context.Background(), &pubsub.Message{Data: []byte(`{"model_name": "resnet50", "dataset_id": "ds-42"}`), Attributes: attrs}))
	}
	for _, r := range results {
		if _, err := r.Get(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	var done atomic.Int64
	c := &collector{refuse: func(ptrace.Span) error { done.Add(1); return errDiscard }}
	cfg := ps.config(SubscriptionConfig{Name: "tap"})
	cfg.OnPermanentError = ActionAck // errDiscard is permanent: ack without keeping the span
	b.ResetTimer()
	start(b, cfg, c, false)
	for done.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkBuild is the receiver's own per-message work: trace context, span, attributes.
func BenchmarkBuild(b *testing.B) {
	cfg := createDefaultConfig()
	cfg.Project = project
	r, err := newReceiver(receivertest.NewNopSettings(Type), cfg)
	if err != nil {
		b.Fatal(err)
	}
	sub := &subscription{cfg: SubscriptionConfig{Name: "tap"}, id: "tap", topic: "jobs", owners: newHopOwners(maxHopOwners), receiveSpanName: legacyid.ReceiveSpanName("tap")}
	attempt := 1
	msg := &pubsub.Message{
		ID: "11000000000001", Data: []byte(`{"model_name": "resnet50"}`), PublishTime: time.Now(),
		Attributes: map[string]string{"trace_id": jobUUID, "model_name": "resnet50"}, DeliveryAttempt: &attempt,
	}
	b.ReportAllocs()
	for b.Loop() {
		r.build(sub, msg, time.Now())
	}
}
