// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package mlschema implements the ml_schema processor: it validates ML inference and training
// logs against a versioned schema, normalises timestamps, severities and units, enriches them
// (confidence statistics, latency tags, streaming anomaly flags), guards cardinality and size,
// and optionally samples adaptively — one pass per record, before anything is indexed.
package mlschema

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	otelprocessor "go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-mlops/otelcol-mlops/processor/mlschema/internal/metadata"
)

// Type is the processor's type as written in configurations.
var Type = metadata.Type

// NewFactory returns the ml_schema processor factory.
func NewFactory() otelprocessor.Factory {
	return otelprocessor.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		otelprocessor.WithLogs(createLogs, metadata.LogsStability))
}

func createLogs(ctx context.Context, set otelprocessor.Settings, cfg component.Config, next consumer.Logs) (otelprocessor.Logs, error) {
	p, err := newProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithShutdown(p.shutdown))
}
