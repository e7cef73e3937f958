// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package legacyspans implements the legacy_spans connector: it turns the correlated logs of
// services that emit no spans into one span per (trace, service), so they appear in the
// trace waterfall next to the instrumented ones.
package legacyspans

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans/internal/metadata"
)

// Type is the connector's type as written in configurations.
var Type = metadata.Type

// NewFactory returns the legacy_spans connector factory.
func NewFactory() connector.Factory {
	return connector.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		connector.WithLogsToTraces(createLogsToTraces, metadata.LogsToTracesStability))
}

func createLogsToTraces(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Traces) (connector.Logs, error) {
	return newConnector(set, cfg.(*Config), next)
}
