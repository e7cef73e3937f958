// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// readmeBlocks returns the sh code blocks of the README section that starts with heading.
func readmeBlocks(t *testing.T, readme, heading string) []string {
	t.Helper()
	start := strings.Index(readme, "\n"+heading+"\n")
	require.GreaterOrEqual(t, start, 0, "the README has no %q section", heading)
	section := readme[start+len(heading)+2:]
	if end := strings.Index(section, "\n#"); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for {
		open := strings.Index(section, "```sh\n")
		if open < 0 {
			return blocks
		}
		section = section[open+len("```sh\n"):]
		end := strings.Index(section, "```")
		require.GreaterOrEqual(t, end, 0, "an unclosed code block")
		blocks = append(blocks, section[:end])
		section = section[end+3:]
	}
}

// copyWorkingTree copies the repository's files as a fresh clone has them (tracked files and
// new ones not ignored: no bin/, no data/) into a temporary directory.
func copyWorkingTree(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-co", "--exclude-standard", "-z").Output()
	require.NoError(t, err)
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) { // deleted in the working tree, not yet in the index
			continue
		}
		require.NoError(t, err)
		if !info.Mode().IsRegular() {
			continue
		}
		raw, err := os.ReadFile(src)
		require.NoError(t, err)
		dst := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, raw, info.Mode().Perm()))
	}
	return dir
}

// The README's "Try it on this machine" section, walked as a user walks it: each block, as
// printed, in a copy of the repository without bin/ or data/ (make build included), in its
// order; a command that fails fails the test.
func TestREADMEQuickStart(t *testing.T) {
	root := collectortest.RepoRoot(t)
	collectortest.Binary(t) // warms the build cache make build uses
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	blocks := readmeBlocks(t, string(readme), "### Try it on this machine")
	require.Len(t, blocks, 2)
	require.True(t, strings.HasPrefix(blocks[0], "make build"), "the walk starts from a fresh clone")
	dir := copyWorkingTree(t, root)
	for i, block := range blocks {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", block)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		require.NoError(t, err, "README block %d failed:\n%s\n--- output:\n%s", i+1, block, out)
		t.Logf("README block %d:\n%s", i+1, lastLines(string(out), 6))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
