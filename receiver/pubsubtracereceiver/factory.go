// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package pubsubtracereceiver implements the pubsub_trace receiver: a Google Cloud Pub/Sub
// subscriber that turns each message into an OTel messaging consumer span (and optionally a
// log), in the trace its publisher left in the message attributes, and acks a message only
// after the pipeline accepted its telemetry.
package pubsubtracereceiver

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-mlops/otelcol-mlops/receiver/pubsubtracereceiver/internal/metadata"
)

// Type is the receiver's type as written in configurations (metadata.yaml).
var Type = metadata.Type

// NewFactory returns the pubsub_trace receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		receiver.WithTraces(createTraces, metadata.TracesStability),
		receiver.WithLogs(createLogs, metadata.LogsStability))
}

// receivers holds one receiver per component ID across the pipelines that name it.
var (
	receiversMu sync.Mutex
	receivers   = map[component.ID]*pubsubReceiver{}
)

func shared(set receiver.Settings, cfg *Config, attach func(*pubsubReceiver)) (*pubsubReceiver, error) {
	receiversMu.Lock()
	defer receiversMu.Unlock()
	r, ok := receivers[set.ID]
	if !ok || r.cfg != cfg {
		var err error
		if r, err = newReceiver(set, cfg); err != nil {
			return nil, err
		}
		receivers[set.ID] = r
	}
	r.mu.Lock()
	attach(r)
	r.mu.Unlock()
	return r, nil
}

// forget drops r from the shared receivers once its last pipeline shut it down, so a reload
// of the collector's configuration builds a new one and nothing holds the old.
func forget(r *pubsubReceiver) {
	receiversMu.Lock()
	defer receiversMu.Unlock()
	if receivers[r.set.ID] == r {
		delete(receivers, r.set.ID)
	}
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	return shared(set, cfg.(*Config), func(r *pubsubReceiver) { r.traces = next })
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return shared(set, cfg.(*Config), func(r *pubsubReceiver) { r.logs = next })
}
