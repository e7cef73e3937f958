// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/xconfmap"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

func TestDefaultsAndMinimalConfig(t *testing.T) {
	require.NoError(t, componenttest.CheckConfigStruct(createDefaultConfig()))
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, ActionNack, cfg.OnPermanentError, "nothing acked early by default")
	assert.Equal(t, ActionNack, cfg.OnDecodeError)
	assert.Equal(t, "messaging.gcp_pubsub.message.attribute.", cfg.Attributes.Prefix)
	assert.Equal(t, 1000, cfg.FlowControl.MaxOutstandingMessages)
	assert.Equal(t, legacyid.DefaultSettings(), cfg.TraceContext.Settings, "the mapping settings trace_id_bridge has by default")
	assert.Equal(t, "training-jobs-tap", subscriptionID(cfg.Subscriptions[0].Name))
}

func TestFullConfig(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "full")
	require.NoError(t, xconfmap.Validate(cfg))
	assert.Equal(t, "training-jobs-tap", subscriptionID(cfg.Subscriptions[0].Name))
	assert.Equal(t, "azure-function-api", cfg.Subscriptions[0].PublisherService)
	assert.True(t, cfg.Subscriptions[1].DeadLetter)
	assert.Equal(t, []string{"X-Trace-ID", "trace_id"}, cfg.TraceContext.Keys)
	assert.Equal(t, 2, cfg.FlowControl.NumGoroutines)
	assert.Equal(t, PayloadCloudLogging, cfg.Subscriptions[2].PayloadFormat)
}

func TestConfigErrors(t *testing.T) {
	err := xconfmap.Validate(testutil.ComponentConfig[*Config](t, NewFactory(), "bad"))
	require.Error(t, err)
	for _, want := range []string{
		"project: must not be empty",
		`subscriptions[0].name: "projects/other/subscriptions/x" is not in project ""`,
		"subscriptions[1].name: must not be empty",
		`subscriptions[2].payload_format: "xml" is not json, text or cloud_logging`,
		`subscriptions[3].name: "y" is listed twice`,
		`subscriptions[4].name: "projects/mlops-demo/subscriptions/y" is listed twice`,
		"subscriptions[5]: publisher_service and dead_letter shape receive spans",
		"insecure: needs an endpoint",
		`on_permanent_error: "drop" is not nack or ack`,
		`on_decode_error: "ignore" is not nack, ack or keep`,
		"flow_control:",
	} {
		assert.Contains(t, err.Error(), want)
	}
}
