// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package strutil

import "testing"

func TestCutUTF8(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"}, {"abcdef", 3, "abc"}, {"aé", 2, "a"}, {"aé", 3, "aé"}, {"✓✓", 4, "✓"}, {"x", 0, ""},
	} {
		if got := CutUTF8(c.in, c.n); got != c.want {
			t.Errorf("CutUTF8(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
