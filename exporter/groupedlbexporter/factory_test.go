// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pipeline"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

// The exporter moves a batch's records into per-gateway requests, so it declares it mutates;
// it routes logs only, and a traces or metrics pipeline naming it fails at start-up.
func TestFactoryLogsOnlyAndMutating(t *testing.T) {
	f := NewFactory()
	cfg := testutil.ComponentConfig[*Config](t, f, "static")
	set := exportertest.NewNopSettings(f.Type())
	logs, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	assert.True(t, logs.Capabilities().MutatesData)
	_, err = f.CreateTraces(context.Background(), set, cfg)
	assert.ErrorIs(t, err, pipeline.ErrSignalNotSupported)
	_, err = f.CreateMetrics(context.Background(), set, cfg)
	assert.ErrorIs(t, err, pipeline.ErrSignalNotSupported)
}
