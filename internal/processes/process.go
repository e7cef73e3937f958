// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package processes starts the real processes the end-to-end tests and the demo talk to: the
// otelcol-mlops binary, and Jaeger v2 built from its own tools module.
package processes

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// envList turns variables into KEY=value entries, sorted for a stable command line.
func envList(vars map[string]string) []string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]string, 0, len(keys))
	for _, k := range keys {
		list = append(list, k+"="+vars[k])
	}
	return list
}

// Process is a running child process whose output is kept.
type Process struct {
	cmd    *exec.Cmd
	output *SyncBuffer
	done   chan struct{}
	err    error
}

// StartProcess starts bin with args in dir, with extra environment variables.
func StartProcess(dir string, env []string, bin string, args ...string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &Process{cmd: cmd, output: &SyncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	return p, nil
}

// Pid is the process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Output returns everything the process wrote so far.
func (p *Process) Output() string { return p.output.String() }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM and waits up to timeout, then kills; it returns the exit error.
func (p *Process) Stop(timeout time.Duration) error {
	if p.Exited() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("no exit within %s of SIGTERM", timeout)
	}
}

// Kill ends the process at once (SIGKILL).
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// ErrPortTaken is returned by WaitHTTP when the process could not bind a port it was given
// (another process took it after FreeAddr): start it again on new ports.
var ErrPortTaken = errors.New("a port was taken before the process bound it")

// WaitHTTP polls url until it answers 200, the process exits or reports a port already in
// use, or timeout passes.
func (p *Process) WaitHTTP(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		// The collector exits when a bind fails: read Exited first (its output is then
		// complete), so a start that lost its port to another process is retried by the
		// caller, not reported as a crash.
		exited := p.Exited()
		if strings.Contains(p.Output(), "address already in use") {
			return ErrPortTaken
		}
		if exited {
			return fmt.Errorf("exited before %s answered: %v", url, p.err)
		}
		if resp, err := http.Get(url); err == nil { //nolint:gosec // loopback URL built by the caller
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", url, timeout)
}

// WaitTCP polls addr until it accepts connections.
func (p *Process) WaitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.Exited() {
			return fmt.Errorf("exited before %s listened: %v", addr, p.err)
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not listening within %s", addr, timeout)
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

// RepoRoot returns the folder holding go.mod, from the working directory up.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "builder-config.yaml")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found above the working directory")
		}
		dir = parent
	}
}

// SyncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// toolBinary returns bin/<name>, building pkg from tools/<name> (a module of its own, so a
// peer's dependency graph never touches the distribution's) when it is missing. noSumDB adds
// the peer's module path to GONOSUMDB; buildFlags go before pkg (e.g. -ldflags).
func toolBinary(root, name, pkg, noSumDB string, buildFlags ...string) (string, error) {
	bin := filepath.Join(root, "bin", name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	args := append(append([]string{"build", "-o", bin}, buildFlags...), pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join(root, "tools", name)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GONOSUMDB=go.opentelemetry.io,github.com/open-telemetry,"+noSumDB)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %w\n%s", name, err, out)
	}
	return bin, nil
}
