// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

// A traces and a logs pipeline naming the same pubsub_trace component share one subscriber:
// two would split the subscription's messages between them, each acking what the other's
// pipeline never saw.
func TestFactorySharesOneSubscriberPerComponent(t *testing.T) {
	ps := newFakePubSub(t)
	cfg := ps.jobsTap(t)
	f := NewFactory()
	set := receivertest.NewNopSettings(Type)

	traces, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	logs, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.Same(t, traces, logs)
	_, err = f.CreateMetrics(context.Background(), set, cfg, consumertest.NewNop())
	assert.ErrorIs(t, err, pipeline.ErrSignalNotSupported)

	require.NoError(t, traces.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, logs.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, traces.Shutdown(context.Background()))
	assert.True(t, isShared(set.ID), "the logs pipeline still runs the subscriber")
	require.NoError(t, logs.Shutdown(context.Background()))
}
