// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package backendcheckextension implements the backend_check extension: it probes the
// backends a configuration's exporters send to, and says — in the log, in a metric and on a
// status page — which of them cannot be reached.
package backendcheckextension

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-mlops/otelcol-mlops/extension/backendcheckextension/internal/metadata"
)

// NewFactory returns the backend_check extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type,
		func() component.Config { return createDefaultConfig() },
		createExtension, metadata.ExtensionStability)
}

func createExtension(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newChecker(set, cfg.(*Config))
}
