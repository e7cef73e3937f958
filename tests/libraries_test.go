// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// What a service inherits by importing our libraries: their modules, and the example
// service's, require no collector, contrib, cloud or Kubernetes module, and the example
// service builds with nothing else.
func TestServiceLibrariesStayLight(t *testing.T) {
	root := collectortest.RepoRoot(t)
	heavy := []string{"go.opentelemetry.io/collector", "github.com/open-telemetry/opentelemetry-collector-contrib",
		"cloud.google.com/", "google.golang.org/grpc", "k8s.io/", "github.com/Azure/", "go.uber.org/zap"}
	for _, dir := range []string{"pkg/legacyid", "propagation/xtraceid", "examples/xtraceid-service"} {
		t.Run(dir, func(t *testing.T) {
			mf := readModFile(t, filepath.Join(root, dir, "go.mod"))
			for _, req := range mf.Require {
				for _, h := range heavy {
					assert.False(t, strings.HasPrefix(req.Mod.Path, h), "%s requires %s", dir, req.Mod.Path)
				}
			}
			assert.LessOrEqual(t, len(mf.Require), 10, "%s's dependency list: %v", dir, mf.Require)
		})
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "xtraceid-service"), ".")
	cmd.Dir = filepath.Join(root, "examples", "xtraceid-service")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the example service builds with only the library modules:\n%s", out)
}
