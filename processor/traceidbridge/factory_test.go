// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
)

// The bridge rewrites trace and span IDs in place: it must say so, or the collector hands it
// data another consumer of the same pipeline is still reading.
func TestFactoryDeclaresItMutatesEverySignal(t *testing.T) {
	f := NewFactory()
	set := processortest.NewNopSettings(f.Type())
	cfg := f.CreateDefaultConfig()
	logs, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	traces, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	metrics, err := f.CreateMetrics(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.True(t, logs.Capabilities().MutatesData)
	assert.True(t, traces.Capabilities().MutatesData)
	assert.True(t, metrics.Capabilities().MutatesData)
}
