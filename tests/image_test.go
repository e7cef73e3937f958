// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"debug/elf"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// The image is FROM scratch: the binary must need no dynamic loader and no shared library.
// (No container engine runs here, so the image itself is not built; this checks the binary
// built the way make build-static builds it.)
func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(collectortest.Binary(t))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "the binary asks for a dynamic loader")
		assert.NotEqual(t, elf.PT_DYNAMIC, p.Type, "the binary has a dynamic section")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs, "the binary needs shared libraries")
}

// The Dockerfile and the manifests agree: the entrypoint the manifests rely on, the configs
// they name, the data directory they mount, a non-root default user, the ports declared.
func TestDockerfileMatchesTheManifests(t *testing.T) {
	root := collectortest.RepoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	dockerfile := string(raw)
	assert.Contains(t, dockerfile, `ENTRYPOINT ["/otelcol-mlops"]`)
	assert.Regexp(t, `(?m)^FROM scratch$`, dockerfile)
	assert.Regexp(t, `(?m)^USER \$\{USER_UID\}:\$\{USER_GID\}$`, dockerfile)
	assert.Regexp(t, `(?m)^ARG USER_UID=10001$`, dockerfile)
	assert.Contains(t, dockerfile, "COPY --chmod=0755 bin/otelcol-mlops-linux-static /otelcol-mlops")
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	assert.Contains(t, string(makefile), "-o bin/otelcol-mlops-linux-static", "make build-static makes what the image copies")

	copied := regexp.MustCompile(`(?m)^COPY (configs/.*) /etc/otelcol-mlops/$`).FindStringSubmatch(dockerfile)
	require.NotNil(t, copied, "the configs are copied to /etc/otelcol-mlops/")
	for _, f := range strings.Fields(copied[1]) {
		assert.FileExists(t, filepath.Join(root, f))
	}
	assert.Contains(t, dockerfile, "ENV OTELCOL_MLOPS_DATA_DIR=/var/lib/otelcol-mlops")
	assert.Contains(t, dockerfile, `VOLUME ["/var/lib/otelcol-mlops"]`)

	m := loadManifests(t)
	for workload, spec := range m.podSpecs {
		c := containerFrom(t, root, spec.Containers[0], m.configMaps)
		if dir, ok := c.env["OTELCOL_MLOPS_DATA_DIR"]; ok { // the gateway keeps no files
			assert.Equal(t, "/var/lib/otelcol-mlops", dir, workload)
		}
		for port := range c.ports {
			assert.Regexp(t, `(?m)^EXPOSE .*\b`+strconv.Itoa(int(port))+`\b`, dockerfile, "%s declares %d; the image does not expose it", workload, port)
		}
		for _, cfg := range c.configs {
			assert.Contains(t, copied[1], "configs/"+filepath.Base(cfg))
		}
		if spec.SecurityContext != nil && spec.SecurityContext.RunAsUser != nil {
			assert.Equal(t, int64(10001), *spec.SecurityContext.RunAsUser, "%s runs as the image's user", workload)
		}
	}
}

// One version everywhere a release names it: the binary's, ocb's manifest, the image the
// Makefile builds, and the tag the Kubernetes manifests and Helm values deploy (RELEASING.md).
func TestOneVersionEverywhere(t *testing.T) {
	root := collectortest.RepoRoot(t)
	read := func(name string) string {
		raw, err := os.ReadFile(filepath.Join(root, name))
		require.NoError(t, err)
		return string(raw)
	}
	find := func(name, pattern string) string {
		m := regexp.MustCompile(pattern).FindStringSubmatch(read(name))
		require.NotNil(t, m, "%s: no %s", name, pattern)
		return m[1]
	}
	out, err := collectortest.Run(t, "--version")
	require.NoError(t, err)
	binary := regexp.MustCompile(`version (\S+)`).FindStringSubmatch(out)
	require.NotNil(t, binary, out)
	for what, v := range map[string]string{
		"builder-config.yaml dist.version":          find("builder-config.yaml", `(?m)^  version: (\S+)$`),
		"Makefile IMAGE":                            find("Makefile", `(?m)^IMAGE +\?= \S+:(\S+)$`),
		"deploy/kubernetes/kustomization.yaml":      find("deploy/kubernetes/kustomization.yaml", `(?m)newTag: (\S+)$`),
		"deploy/helm/agent-values.yaml image.tag":   find("deploy/helm/agent-values.yaml", `(?m)^  tag: (\S+)$`),
		"deploy/helm/gateway-values.yaml image.tag": find("deploy/helm/gateway-values.yaml", `(?m)^  tag: (\S+)$`),
	} {
		assert.Equal(t, binary[1], v, what)
	}
}
