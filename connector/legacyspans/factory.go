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

// NewFactory returns the legacy_spans connector factory. As logs → traces it synthesises
// spans; as traces → traces (optional) it learns which services of a trace are instrumented,
// and sends nothing on: both sides of one legacy_spans share what it learnt.
func NewFactory() connector.Factory {
	stores := &instrumentedStores{stores: map[component.ID]*instrumented{}}
	return connector.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		connector.WithLogsToTraces(func(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Traces) (connector.Logs, error) {
			return newConnector(set, cfg.(*Config), next, stores.get(set.ID, cfg.(*Config)))
		}, metadata.LogsToTracesStability),
		connector.WithTracesToTraces(func(_ context.Context, set connector.Settings, cfg component.Config, _ consumer.Traces) (connector.Traces, error) {
			return instrumentedSpans{in: stores.get(set.ID, cfg.(*Config))}, nil
		}, metadata.TracesToTracesStability))
}
