// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ChromiumPath is Debian's Chromium (make debian-deps installs it).
const ChromiumPath = "/usr/bin/chromium"

// DemoPage returns web/demo-page/dist, the seed's UI bundled, building it (npm ci, tsc,
// esbuild, all pinned by lockfiles) when it is missing.
func DemoPage(root string) (string, error) {
	dist := filepath.Join(root, "web", "demo-page", "dist")
	if _, err := os.Stat(filepath.Join(dist, "page.js")); err == nil {
		return dist, nil
	}
	cmd := exec.Command("make", "web")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the demo page (make web): %w\n%s", err, out)
	}
	return dist, nil
}

// PageRun is what the page showed after the click: its click span's trace ID, the X-Trace-ID
// the API answered with, the job's Pub/Sub message ID, and the browser console.
type PageRun struct {
	TraceID   string   `json:"traceId"`
	XTraceID  string   `json:"xTraceId"`
	MessageID string   `json:"messageId"`
	Error     string   `json:"error"`
	Console   []string `json:"console"`
}

// ClickRunTrainingJob opens url in headless Chromium, enters model (unless empty), clicks
// "Run training job", waits until the page has exported its spans and saves a screenshot
// (web/demo-page/drive.mjs).
func ClickRunTrainingJob(root, url, screenshot, model string) (PageRun, error) {
	var run PageRun
	if _, err := os.Stat(ChromiumPath); err != nil {
		return run, errors.New("no Chromium at " + ChromiumPath + ": make debian-deps installs Debian's chromium")
	}
	cmd := exec.Command("node", "drive.mjs", url, screenshot, model)
	cmd.Dir = filepath.Join(root, "web", "demo-page")
	cmd.Env = append(os.Environ(), "CHROMIUM="+ChromiumPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return run, fmt.Errorf("driving Chromium: %w\n%s%s", err, out, stderr.String())
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &run); err != nil {
		return run, fmt.Errorf("the page's report %q: %w", out, err)
	}
	return run, nil
}
