// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// componentAttributes is how the collector hands a component's identity to its logger: one
// inline object field (service/internal/componentattribute).
type componentAttributes map[string]string

func (a componentAttributes) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for k, v := range a {
		enc.AddString(k, v)
	}
	return nil
}

func componentLogger(root *zap.Logger, id string) *zap.Logger {
	return root.With(zap.Inline(componentAttributes{componentIDKey: id, "otelcol.component.kind": "exporter"}))
}

func TestInterruptedExportsOfPersistentQueuesAreNotCalledDropped(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	root := zap.New(core, keepInterruptedExportsTruthful(map[string]bool{"otlp_grpc/jaeger": true}), zap.AddStacktrace(zapcore.ErrorLevel))
	interrupted := errors.New("interrupted due to shutdown: rpc error: code = Unavailable desc = connection refused")

	componentLogger(root, "otlp_grpc/jaeger").Error(droppingDataMessage, zap.Error(interrupted), zap.Int("dropped_items", 5))
	componentLogger(root, "otlp_grpc/memory").Error(droppingDataMessage, zap.Error(interrupted), zap.Int("dropped_items", 3))
	componentLogger(root, "otlp_grpc/jaeger").Error(droppingDataMessage, zap.Error(errors.New("Permanent error: rpc error: code = InvalidArgument")), zap.Int("dropped_items", 2))

	entries := logs.AllUntimed()
	require.Len(t, entries, 3)
	kept := entries[0]
	assert.Equal(t, interruptedKeptMessage, kept.Message)
	assert.Equal(t, zapcore.InfoLevel, kept.Level)
	assert.Empty(t, kept.Stack)
	assert.Equal(t, int64(5), kept.ContextMap()["kept_items"])
	assert.NotContains(t, kept.ContextMap(), "dropped_items")

	assert.Equal(t, droppingDataMessage, entries[1].Message, "a memory queue does drop what shutdown interrupts")
	assert.Equal(t, zapcore.ErrorLevel, entries[1].Level)
	assert.Equal(t, droppingDataMessage, entries[2].Message, "a permanent error drops data from a persistent queue too")
}

func TestPersistentQueueExportersOfTheShippedConfigs(t *testing.T) {
	root := filepath.Join("..", "..", "configs")
	for _, name := range []string{"GATEWAY_DNS_NAME", "K8S_NODE_NAME"} {
		t.Setenv(name, "x")
	}
	resolver := collectorSettings().ConfigProviderSettings.ResolverSettings
	assert.Empty(t, persistentQueueExporters([]string{"otelcol-mlops", "--config", filepath.Join(root, "gateway.yaml")}, resolver),
		"the gateway keeps nothing on disk: its drop lines are about requests its senders were refused")
	got := persistentQueueExporters([]string{"otelcol-mlops", "--config=" + filepath.Join(root, "sidecar.yaml")}, resolver)
	assert.Equal(t, map[string]bool{"grouped_loadbalancing": true, "loadbalancing": true}, got)
	t.Setenv("SIDECAR_PERSISTENT_QUEUE", "false")
	got = persistentQueueExporters([]string{"otelcol-mlops", "--config", filepath.Join(root, "sidecar.yaml")}, resolver)
	assert.Equal(t, map[string]bool{"loadbalancing": true}, got, "a disabled queue keeps nothing")
	assert.Empty(t, persistentQueueExporters([]string{"otelcol-mlops"}, resolver), "the embedded default has no persistent queue")
	_, err := os.Stat(filepath.Join(root, "local.yaml"))
	require.NoError(t, err)
	assert.False(t, strings.Contains(embeddedDefaultURI(), "storage:"), "if the embedded default gains a persistent queue, extend this test")
}
