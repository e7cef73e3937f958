// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// MetricSum reads a collector's own metrics (Prometheus text at url) and sums the samples of
// the metric name whose labels include every name="value" in labels.
func MetricSum(url, name string, labels ...string) (float64, error) {
	resp, err := http.Get(url) //nolint:gosec,noctx // a test's loopback URL
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for _, line := range strings.Split(string(text), "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		matches := true
		for _, l := range labels {
			if !strings.Contains(rest, l) {
				matches = false
			}
		}
		if !matches {
			continue
		}
		v, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", line, err)
		}
		sum += v
	}
	return sum, nil
}
