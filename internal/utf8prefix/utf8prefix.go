// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package utf8prefix cuts strings to a byte length without splitting a UTF-8 sequence.
package utf8prefix

import "unicode/utf8"

// Cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
