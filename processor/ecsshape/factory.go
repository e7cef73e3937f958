// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package ecsshape implements the ecs_shape processor: it shapes log records for the
// Elasticsearch exporter's ECS mode so that Elasticsearch indexes every one of them under the
// template generated from pkg/schema.
package ecsshape

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-mlops/otelcol-mlops/processor/ecsshape/internal/metadata"
)

// Type is the processor's type as written in configurations.
var Type = metadata.Type

// NewFactory returns the ecs_shape processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithLogs(createLogs, metadata.LogsStability))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	s, err := newShaper(set.TelemetrySettings, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, s.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}
