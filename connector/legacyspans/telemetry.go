// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans/internal/metadata"
)

// newTelemetry returns the connector's own metrics (metadata.yaml) with the open-groups gauge
// observing open; the builder's Shutdown unregisters it, so a stopped connector stops reporting.
func newTelemetry(set component.TelemetrySettings, open func() int64) (*metadata.TelemetryBuilder, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return tb, tb.RegisterConnectorLegacySpansOpenGroupsCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(open())
		return nil
	})
}
