// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build !race

// The race detector's instrumentation allocates, so these run without it (make test-allocs).

package legacyid

import "testing"

func TestMapDoesNotAllocateOnCommonForms(t *testing.T) {
	for _, in := range []string{
		"4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
		"4bf92f3577b34da6a3ce929d0e0e4736",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"xyz-123",
		"NO_TRACE_ID",
	} {
		allocs := testing.AllocsPerRun(100, func() { Default.Map(in) })
		if allocs != 0 {
			t.Errorf("Map(%q) allocates %.0f times", in, allocs)
		}
	}
	allocs := testing.AllocsPerRun(100, func() { DeriveSpanID([16]byte{1}, "gpu-worker") })
	if allocs != 0 {
		t.Errorf("DeriveSpanID allocates %.0f times", allocs)
	}
}
