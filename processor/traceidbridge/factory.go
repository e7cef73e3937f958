// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package traceidbridge implements the trace_id_bridge processor: it finds legacy correlation
// IDs in logs, spans and metric data points and gives them W3C trace context through the
// legacyid mapping, keeping the original string.
package traceidbridge

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-mlops/otelcol-mlops/processor/traceidbridge/internal/metadata"
)

// Type is the processor's type as written in configurations.
var Type = metadata.Type

var processorCapabilities = consumer.Capabilities{MutatesData: true}

// NewFactory returns the trace_id_bridge processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithLogs(createLogs, metadata.LogsStability),
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	b, err := newBridge(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, b.processLogs, processorhelper.WithCapabilities(processorCapabilities))
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	b, err := newBridge(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, b.processTraces, processorhelper.WithCapabilities(processorCapabilities))
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	b, err := newBridge(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, b.processMetrics, processorhelper.WithCapabilities(processorCapabilities))
}
