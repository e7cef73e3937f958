// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Update rewrites golden files from what the code produces (go test ./... -update).
var Update = flag.Bool("update", false, "rewrite the golden files from the component's output")

// goldenPath is testdata/golden/<name>.yaml.
func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".yaml") }

// CompareLogsGolden compares got with testdata/golden/<name>.yaml (rewriting it with -update).
func CompareLogsGolden(t *testing.T, name string, got plog.Logs) {
	t.Helper()
	if *Update {
		require.NoError(t, golden.WriteLogs(t, goldenPath(name), got))
	}
	want, err := golden.ReadLogs(goldenPath(name))
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, got))
}

// CompareTracesGolden compares got with testdata/golden/<name>.yaml (rewriting it with -update).
func CompareTracesGolden(t *testing.T, name string, got ptrace.Traces) {
	t.Helper()
	if *Update {
		require.NoError(t, golden.WriteTraces(t, goldenPath(name), got))
	}
	want, err := golden.ReadTraces(goldenPath(name))
	require.NoError(t, err)
	require.NoError(t, ptracetest.CompareTraces(want, got))
}

// CompareMetricsGolden compares got with testdata/golden/<name>.yaml (rewriting it with
// -update); data points may come in any order.
func CompareMetricsGolden(t *testing.T, name string, got pmetric.Metrics) {
	t.Helper()
	if *Update {
		// WriteMetrics sorts and normalises what it is given: hand it a copy.
		out := pmetric.NewMetrics()
		got.CopyTo(out)
		require.NoError(t, golden.WriteMetrics(t, goldenPath(name), out, golden.SkipMetricTimestampNormalization()))
	}
	want, err := golden.ReadMetrics(goldenPath(name))
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(want, got, pmetrictest.IgnoreMetricDataPointsOrder()))
}
