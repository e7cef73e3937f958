package testutil

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Update rewrites golden files from what the code produces (go test ./... -update).
var Update = flag.Bool("update", false, "rewrite the golden files from the component's output")

// GoldenPath is testdata/golden/<name>.yaml.
func GoldenPath(name string) string { return filepath.Join("testdata", "golden", name+".yaml") }

// CompareLogsGolden compares got with testdata/golden/<name>.yaml (rewriting it with -update).
func CompareLogsGolden(t *testing.T, name string, got plog.Logs) {
	t.Helper()
	if *Update {
		require.NoError(t, golden.WriteLogs(t, GoldenPath(name), got))
	}
	want, err := golden.ReadLogs(GoldenPath(name))
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, got))
}
