// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package groupedlbexporter implements the grouped_loadbalancing exporter: logs routed to
// gateways by trace ID on contrib loadbalancing's hash ring, sent as one request per gateway
// per batch instead of one per trace.
package groupedlbexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

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
	return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		// Records are moved into per-gateway requests, not copied.
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		exporterhelper.WithTimeout(c.TimeoutSettings),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithQueue(c.QueueSettings))
}
