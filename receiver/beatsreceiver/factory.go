// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package beatsreceiver implements the beats receiver: Lumberjack v2, the protocol of
// Filebeat's output.logstash, so Beats fleets ship to the collector as they shipped to
// Logstash's beats input, changing one host name.
package beatsreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-mlops/otelcol-mlops/receiver/beatsreceiver/internal/metadata"
)

const scopeName = "github.com/otelcol-mlops/otelcol-mlops/receiver/beatsreceiver"

// NewFactory returns the beats receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type,
		func() component.Config { return createDefaultConfig() },
		receiver.WithLogs(createLogs, metadata.LogsStability))
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newReceiver(set, cfg.(*Config), next)
}
