// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package mlmetrics implements the ml_metrics connector: it derives inference and training
// metrics from ML logs (the fields of pkg/schema), with exemplars pointing at the traces of
// the records behind them.
package mlmetrics

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-mlops/otelcol-mlops/connector/mlmetrics/internal/metadata"
)

// Type is the connector's type as written in configurations.
var Type = metadata.Type

// NewFactory returns the ml_metrics connector factory.
func NewFactory() connector.Factory {
	return connector.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		connector.WithLogsToMetrics(createLogsToMetrics, metadata.LogsToMetricsStability))
}

func createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	return newConnector(set, cfg.(*Config), next)
}
