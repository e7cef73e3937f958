// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package seedstack

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// podNamespaces puts the example stack's services in namespaces as a cluster would.
var podNamespaces = map[string]string{
	"nuxt-ui":                   "web",
	"azure-function-api":        "web",
	"ml-worker":                 "ml",
	"recommendation-model-prod": "serving",
}

// podLogs writes each replica's stdout as the kubelet's container runtime stores it.
type podLogs struct {
	dir   string
	mu    sync.Mutex
	files map[string]*os.File
}

func newPodLogs(dir string) *podLogs { return &podLogs{dir: dir, files: map[string]*os.File{}} }

// podLogPath is where replica of service writes: <dir>/<namespace>_<pod>_<uid>/<container>/0.log,
// the container named after the service, the pod after the replica.
func podLogPath(dir, service, replica string) string {
	ns := podNamespaces[service]
	if ns == "" {
		ns = "default"
	}
	hex := fmt.Sprintf("%016x%016x", fnv64(ns+"/"+replica), fnv64(replica+"/"+ns))
	uid := hex[:8] + "-" + hex[8:12] + "-" + hex[12:16] + "-" + hex[16:20] + "-" + hex[20:]
	pod := replica + "-6d8f7b9c5-" + hex[:5]
	return filepath.Join(dir, ns+"_"+pod+"_"+uid, service, "0.log")
}

func fnv64(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func (p *podLogs) write(service, replica, line string) error {
	path := podLogPath(p.dir, service, replica)
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.files[path]
	if !ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var err error
		if f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil { //nolint:gosec // a log file for the agent to read
			return err
		}
		p.files[path] = f
	}
	// containerd's CRI format: time, stream, full/partial tag, the line.
	_, err := fmt.Fprintf(f, "%s stdout F %s\n", time.Now().UTC().Format(time.RFC3339Nano), line)
	return err
}

func (p *podLogs) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, f := range p.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
