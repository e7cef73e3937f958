// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build !race

// The race detector's instrumentation allocates, so these run without it (make test-allocs).

package jsonfind

import "testing"

func TestFindDoesNotAllocate(t *testing.T) {
	doc := `{"timestamp": "2024-05-01 12:00:00,123", "level": "INFO", "worker_id": "gpu-7", "trace_id": "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "message": "Starting processing"}`
	paths := []string{"trace_id", "trace.id", "traceId", "request_id"}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = Find(doc, paths) }); n != 0 {
		t.Fatalf("Find allocates %.0f times", n)
	}
}
