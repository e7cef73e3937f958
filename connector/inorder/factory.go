// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package inorder implements the in_order connector: it passes each batch of logs to its
// pipelines one after another, and to a pipeline only once the ones before it accepted the
// batch. Put the pipeline that stores records first and the ones that derive data from them
// (metrics, spans) after it: when the store refuses a batch and its sender retries, the
// derived pipelines see the batch once, when it is stored, not once per attempt.
package inorder // import "github.com/otelcol-mlops/otelcol-mlops/connector/inorder"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-mlops/otelcol-mlops/connector/inorder/internal/metadata"
)

// Type is the connector's type as written in configurations.
var Type = metadata.Type

// NewFactory returns the in_order connector factory.
func NewFactory() connector.Factory {
	return connector.NewFactory(Type,
		func() component.Config { return &Config{} },
		connector.WithLogsToLogs(createLogsToLogs, metadata.LogsToLogsStability))
}

func createLogsToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Logs, error) {
	router, ok := next.(connector.LogsRouterAndConsumer)
	if !ok {
		return nil, errors.New("in_order: the collector did not hand over its pipelines (expected a logs router)")
	}
	return newConnector(set, cfg.(*Config), router)
}
