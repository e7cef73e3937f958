// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.uber.org/zap"

	"github.com/otelcol-mlops/otelcol-mlops/configs"
)

// Every variable a shipped configuration cannot start without is marked "(required)" in its
// header, which is where --help and the missing-variable error read it from.
func TestEveryShippedConfigMarksWhatItRequires(t *testing.T) {
	for _, f := range configs.Files() {
		text, err := configs.Text(f.Name)
		require.NoError(t, err)
		for _, name := range configs.ReferencesWithoutDefault(text) {
			assert.Contains(t, f.Required, name, "%s reads ${env:%s} with no default; mark it (required) in its header", f.Name, name)
		}
		assert.NotEmpty(t, f.Summary, f.Name)
	}
}

// Each overlay, started with nothing set, names every variable it needs, at once.
func TestMissingVariablesNamedPerOverlay(t *testing.T) {
	unset := func(string) (string, bool) { return "", false }
	read := func(path string) ([]byte, error) {
		text, err := configs.Text(filepath.Base(path))
		return []byte(text), err
	}
	overlays := 0
	for _, f := range configs.Files() {
		if !f.Overlay {
			continue
		}
		overlays++
		base := "configs/gateway.yaml"
		if strings.HasPrefix(f.Name, "sidecar") {
			base = "configs/sidecar.yaml"
		}
		args := []string{"otelcol-mlops", "--config", base, "--config=file:configs/" + f.Name}
		var named []string
		for _, m := range missingVariables(args, unset, read) {
			assert.Equal(t, "configs/"+f.Name, m.file, "%s is charged to the file that needs it", m.name)
			named = append(named, m.name)
		}
		assert.ElementsMatch(t, f.Required, named, f.Name)
		var said strings.Builder
		reportMissingVariables(&said, missingVariables(args, unset, read))
		for _, name := range f.Required {
			assert.Contains(t, said.String(), name, f.Name)
		}
	}
	assert.GreaterOrEqual(t, overlays, 6)

	set := func(string) (string, bool) { return "x", true }
	assert.Empty(t, missingVariables([]string{"otelcol-mlops", "--config", "configs/gateway-kubernetes.yaml"}, set, read))
}

func TestConfigFiles(t *testing.T) {
	assert.Equal(t, []string{"a.yaml", "/etc/b.yaml", "c.yaml"},
		configFiles(strings.Fields("otelcol-mlops validate --config a.yaml --config=file:/etc/b.yaml --config yaml:x::y=1 --config=env:CFG --set a=b --config c.yaml")))
}

// The provider itself, for URIs no file names (--set, yaml:, the embedded default).
func TestRequiredEnvProvider(t *testing.T) {
	t.Setenv("MLOPS_TEST_SET", "value")
	require.NoError(t, os.Unsetenv("MLOPS_TEST_UNSET"))
	p := newRequiredEnvProviderFactory().Create(confmap.ProviderSettings{Logger: zap.NewNop()})
	get := func(uri string) (any, error) {
		r, err := p.Retrieve(context.Background(), uri, nil)
		if err != nil {
			return nil, err
		}
		return r.AsRaw()
	}
	v, err := get("env:MLOPS_TEST_SET")
	require.NoError(t, err)
	assert.Equal(t, "value", v)
	v, err = get("env:MLOPS_TEST_UNSET:-fallback")
	require.NoError(t, err)
	assert.Equal(t, "fallback", v)
	v, err = get("env:MLOPS_TEST_UNSET:-")
	require.NoError(t, err)
	assert.Nil(t, v, "an explicit empty default stays allowed")
	_, err = get("env:MLOPS_TEST_UNSET")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "environment variable MLOPS_TEST_UNSET is not set")
	assert.Contains(t, err.Error(), "${env:MLOPS_TEST_UNSET:-}")
}

func TestHelpListsEveryShippedConfig(t *testing.T) {
	files := configs.Files()
	help := helpText(files)
	for _, f := range files {
		assert.Contains(t, help, f.Name)
		for _, name := range f.Required {
			assert.Contains(t, help, name, "--help says %s needs %s", f.Name, name)
		}
	}
	assert.Contains(t, help, "configs/local.yaml", "--help mentions the embedded default")
	assert.True(t, slices.ContainsFunc(files, func(f configs.File) bool { return f.Name == "gateway-pubsub-taps.yaml" && f.Overlay }))
}
