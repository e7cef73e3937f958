// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package groupedlbexporter implements the grouped_loadbalancing exporter: logs routed to
// gateways by trace ID on contrib loadbalancing's hash ring, sent as one request per gateway
// per batch instead of one per trace.
package groupedlbexporter

import (
	"context"
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/exporter/groupedlbexporter/internal/metadata"
)

// Type is the exporter's type as written in configurations.
var Type = metadata.Type

// NewFactory returns the grouped_loadbalancing exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		exporter.WithLogs(createLogs, metadata.LogsStability))
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newExporter(set, c)
	if err != nil {
		return nil, err
	}
	sf := &sendFirst{}
	push := e.pushLogs
	if c.QueueOnFailure {
		push = sf.draining(e.pushLogs)
	}
	queued, err := exporterhelper.NewLogs(ctx, set, cfg, push,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		// Records are moved into per-gateway requests, not copied.
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		exporterhelper.WithTimeout(c.TimeoutSettings),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithQueue(c.QueueSettings))
	if err != nil || !c.QueueOnFailure || !c.QueueSettings.HasValue() {
		return queued, err
	}
	// The synchronous attempt: no queue, no retries; its sends and failures are counted in
	// the exporter's own metrics like the queue's.
	direct, err := exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs,
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		exporterhelper.WithTimeout(c.TimeoutSettings),
		exporterhelper.WithRetry(configretry.BackOffConfig{Enabled: false}))
	if err != nil {
		return nil, err
	}
	sf.direct, sf.queued = direct, queued
	return sf, nil
}

// sendFirst tries the gateways before the queue: the queue (on disk, in the sidecar) holds
// only what they refused. After a failed attempt it stops trying until the queue delivers
// again: during an outage every batch goes straight to the queue instead of waiting for a
// gateway that does not answer (a timeout per batch would slow reading to a crawl).
type sendFirst struct {
	direct, queued exporter.Logs
	// queueing is set by a failed attempt and cleared by the queue's next delivery.
	queueing atomic.Bool
}

// draining wraps the queue's sends: one that succeeds means the gateways answer again.
func (s *sendFirst) draining(push func(context.Context, plog.Logs) error) func(context.Context, plog.Logs) error {
	return func(ctx context.Context, ld plog.Logs) error {
		err := push(ctx, ld)
		if err == nil {
			s.queueing.Store(false)
		}
		return err
	}
}

func (s *sendFirst) Start(ctx context.Context, host component.Host) error {
	if err := s.queued.Start(ctx, host); err != nil {
		return err
	}
	return s.direct.Start(ctx, host)
}

func (s *sendFirst) Shutdown(ctx context.Context) error {
	return errors.Join(s.direct.Shutdown(ctx), s.queued.Shutdown(ctx))
}

func (*sendFirst) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (s *sendFirst) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if s.queueing.Load() {
		return s.queued.ConsumeLogs(context.WithoutCancel(ctx), ld)
	}
	err := s.direct.ConsumeLogs(ctx, ld)
	if err == nil {
		return nil
	}
	s.queueing.Store(true)
	refused := ld
	var partial consumererror.Logs
	if errors.As(err, &partial) {
		refused = partial.Data()
	}
	// A send cut short because the caller is stopping (a SIGTERM during an outage) still
	// goes into the queue: the caller moves past these records once this returns.
	return s.queued.ConsumeLogs(context.WithoutCancel(ctx), refused)
}
