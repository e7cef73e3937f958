// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build !race

// The race detector's instrumentation allocates, so these run without it (make test-allocs).

package jsontoken

import "testing"

func TestSkipValueDoesNotAllocate(t *testing.T) {
	doc := `{"message": "escaped \"quote\" and \u00e9", "list": [1, 2.5, true, null, {"x": []}]}`
	n := testing.AllocsPerRun(100, func() {
		l := Lexer{Doc: doc}
		_, _ = l.SkipValue()
	})
	if n != 0 {
		t.Fatalf("SkipValue allocates %.0f times", n)
	}
}
