// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

// Filebeat 7.17 events as output.logstash ships them — the container input with JSON decoded
// under root and Kubernetes metadata, a plain line, a line Filebeat failed to decode, JSON
// decoded under "json" — each become the record in testdata/golden.
func TestFilebeatEventsGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	require.NoError(t, err)
	require.Len(t, inputs, 4)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			require.NoError(t, err)
			ld := plog.NewLogs()
			require.NoError(t, decodeEvent(raw, ld, pcommon.Timestamp(1)))
			testutil.CompareLogsGolden(t, "event_"+name, ld)
		})
	}
}

func TestEventMapping(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "events", "container_json_under_root.json"))
	require.NoError(t, err)
	ld := plog.NewLogs()
	require.NoError(t, decodeEvent(raw, ld, 1))
	res := ld.ResourceLogs().At(0).Resource().Attributes()
	for k, want := range map[string]string{
		"service.name": "ml-worker", "k8s.pod.name": "gpu-worker-1-6d8f7b9c5-41d69", "k8s.namespace.name": "ml",
		"k8s.deployment.name": "gpu-worker-1", "k8s.container.name": "worker", "host.name": "gke-gpu-pool-node-1",
		"container.image.name": "registry.example/ml-worker:1.4.2", "k8s.pod.label.app_kubernetes_io/name": "ml-worker",
	} {
		v, ok := res.Get(k)
		if assert.True(t, ok, k) {
			assert.Equal(t, want, v.AsString(), k)
		}
	}
	rec := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	require.Equal(t, pcommon.ValueTypeMap, rec.Body().Type(), "JSON Filebeat decoded under root is the body, structured")
	id, _ := rec.Body().Map().Get("trace_id")
	assert.Equal(t, "d7012cc0-d14d-49e9-b9e8-07915858c59f", id.Str(), "the legacy ID is where the bridge looks")
	_, beatsField := rec.Body().Map().Get("kubernetes")
	assert.False(t, beatsField, "Beats' own metadata is not in the body")
	assert.Equal(t, "2026-11-23T11:58:06.671Z", rec.Timestamp().AsTime().Format("2006-01-02T15:04:05.000Z"))
	off, _ := rec.Attributes().Get("log.offset")
	assert.Equal(t, int64(18231), off.Int(), "the offset names the line: a resent line gets the same document ID")
}

// Consecutive events from one place share a resource; an event from elsewhere gets its own.
func TestEventsShareTheirResource(t *testing.T) {
	ld := plog.NewLogs()
	for _, host := range []string{"a", "a", "b", "a"} {
		require.NoError(t, decodeEvent([]byte(`{"message": "x", "host": {"name": "`+host+`"}}`), ld, 1))
	}
	assert.Equal(t, 3, ld.ResourceLogs().Len())
	assert.Equal(t, 4, ld.LogRecordCount())
}

func BenchmarkDecodeEvent(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "events", "container_json_under_root.json"))
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		ld := plog.NewLogs()
		if err := decodeEvent(raw, ld, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// Outside Kubernetes (no pod, no container metadata), the line's own service field names it,
// so legacy_spans groups its lines under that service as it does the agent's.
func TestServiceFromTheLineWithoutPodMetadata(t *testing.T) {
	ld := plog.NewLogs()
	require.NoError(t, decodeEvent([]byte(`{"message": "epoch 1", "service": "ml-worker", "trace_id": "job-1", "host": {"name": "vm-3"}}`), ld, 1))
	svc, ok := ld.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
	require.True(t, ok)
	assert.Equal(t, "ml-worker", svc.Str())
}
