// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package collectortest builds the otelcol-mlops binary once per test process and runs it as a
// real child process, so integration tests exercise exactly what users run.
package collectortest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

var (
	buildOnce sync.Once
	binPath   string
	errBuild  error
)

// RepoRoot returns the repository's root folder.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := processes.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// Binary compiles ./cmd/otelcol-mlops (once per process) and returns the executable's path.
func Binary(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "otelcol-mlops-bin-")
		if err != nil {
			errBuild = err
			return
		}
		binPath = filepath.Join(dir, "otelcol-mlops")
		// As make build and make build-static build it: static, so the scratch image runs it.
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, "./cmd/otelcol-mlops")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			errBuild = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if errBuild != nil {
		t.Fatal(errBuild)
	}
	return binPath
}

// Run runs the binary to completion and returns its combined output and error.
func Run(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return RunEnv(t, nil, args...)
}

// RunEnv is Run with env added to the environment.
func RunEnv(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Start starts the binary with args in dir and extra environment; it is killed at cleanup if
// still running, and its output is logged when the test failed.
func Start(t testing.TB, dir string, env []string, args ...string) *processes.Process {
	t.Helper()
	p, err := processes.StartProcess(dir, env, Binary(t), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("collector output:\n%s", p.Output())
		}
	})
	return p
}

// WaitHealthy fails the test unless url answers 200 within timeout.
func WaitHealthy(t testing.TB, p *processes.Process, url string, timeout time.Duration) {
	t.Helper()
	if err := p.WaitHTTP(url, timeout); err != nil {
		t.Fatalf("%v\n%s", err, p.Output())
	}
}
