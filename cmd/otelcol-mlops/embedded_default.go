// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

// This file is ours, not ocb's (as is main.go, which calls it): the binary runs the embedded
// configs/local.yaml when it is started (or validated) without --config, the way Jaeger's
// all-in-one starts with no flags.

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/configs"
)

// flagsWithValue are the collector's root flags that take their value as the next argument.
var flagsWithValue = map[string]bool{"--config": true, "--set": true, "--feature-gates": true}

// subcommand returns the first positional argument ("validate", "components", ...) or "".
func subcommand(args []string) string {
	for i := 1; i < len(args); i++ {
		arg := args[i]
		if flagsWithValue[arg] {
			i++
			continue
		}
		if !strings.HasPrefix(arg, "-") {
			return arg
		}
	}
	return ""
}

// embeddedDefaultURI is configs/local.yaml as a yaml: config URI, the configuration the
// collector runs and validates when no --config flag replaces it.
func embeddedDefaultURI() string { return "yaml:" + configs.LocalYAML }

// givesConfig reports whether the command line names a configuration (or only asks for help
// or the version), so the embedded default is not announced.
func givesConfig(args []string) bool {
	for _, arg := range args[1:] {
		switch {
		case arg == "--config", strings.HasPrefix(arg, "--config="),
			arg == "-h", arg == "--help", arg == "-v", arg == "--version":
			return true
		}
	}
	return false
}

// announceEmbeddedDefault tells the user where the embedded default's outputs go.
func announceEmbeddedDefault(w io.Writer, dataDir string) {
	if dataDir == "" {
		dataDir = configs.DefaultDataDir
	}
	if abs, err := filepath.Abs(dataDir); err == nil {
		dataDir = abs
	}
	_, _ = fmt.Fprintf(w, `otelcol-mlops: no --config given, running the embedded default (configs/local.yaml)
  OTLP in:        grpc 127.0.0.1:4317, http 127.0.0.1:4318
  logs out:       %[1]s/logs.jsonl
  traces out:     %[1]s/traces.jsonl
  metrics out:    %[1]s/metrics.jsonl and http://127.0.0.1:8889/metrics
  health check:   http://127.0.0.1:13133/
  self-telemetry: http://127.0.0.1:8888/metrics
  (set %[2]s to move the files; pass --config to run your own configuration)
`, dataDir, configs.DataDirEnv)
}

// shutdownTimeoutEnv bounds the time from SIGTERM to exit. On SIGTERM the collector drains in
// pipeline order — receivers stop accepting, processors and connectors flush what they hold
// into the exporters, exporters deliver or persist their queues — and exits when that is done.
// An exporter retrying against a backend that is down can hold that drain indefinitely; past
// the deadline the process exits anyway. What a persistent queue or a file offset holds
// survives (as it would the orchestrator's SIGKILL); what only memory holds at that moment does
// not. 0 (or "none") disables the deadline, for service managers that wait longer than
// Kubernetes' 30 s grace period and configurations that keep data only in memory.
const shutdownTimeoutEnv = "OTELCOL_MLOPS_SHUTDOWN_TIMEOUT"

const defaultShutdownTimeout = 25 * time.Second // under Kubernetes' default 30 s grace period

// shutdownTimeout reads the setting: the default when unset or invalid (said on w), 0 for none.
func shutdownTimeout(w io.Writer, setting string) time.Duration {
	switch setting {
	case "":
		return defaultShutdownTimeout
	case "0", "none":
		return 0
	}
	d, err := time.ParseDuration(setting)
	if err != nil || d <= 0 {
		_, _ = fmt.Fprintf(w, "otelcol-mlops: %s=%q is not a positive duration, 0 or none; using %s\n", shutdownTimeoutEnv, setting, defaultShutdownTimeout)
		return defaultShutdownTimeout
	}
	return d
}

func enforceShutdownDeadline(w io.Writer, setting string) {
	timeout := shutdownTimeout(w, setting)
	if timeout == 0 {
		return
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-signals
		time.Sleep(timeout)
		_, _ = fmt.Fprintf(w, "otelcol-mlops: still shutting down %s after %s (%s=%s); exiting now: persistent queues and file offsets keep what they hold, data still in memory stages is lost (set %s=0 to wait for the drain)\n",
			timeout, sig, shutdownTimeoutEnv, timeout, shutdownTimeoutEnv)
		os.Exit(1)
	}()
}

// helpText is what --help prints above the usage: the embedded default, and each shipped
// configuration with what it needs (from the files' own headers, so the two cannot disagree).
func helpText(files []configs.File) string {
	var b strings.Builder
	b.WriteString(`otelcol-mlops: an OpenTelemetry Collector for ML systems that speak legacy correlation IDs
(X-Trace-ID, trace_id, correlation_id, request_id): it bridges them to W3C trace context.

Without --config it runs the embedded default (configs/local.yaml): OTLP in on 127.0.0.1:4317
(gRPC) and 127.0.0.1:4318 (HTTP), everything written to ./data/{logs,traces,metrics}.jsonl
(` + configs.DataDirEnv + ` moves them), health on http://127.0.0.1:13133/.

The shipped configurations (configs/ in the repository, /etc/otelcol-mlops in the image); an
overlay is merged over its base with a second --config, e.g.
  otelcol-mlops --config configs/gateway.yaml --config configs/gateway-pubsub-taps.yaml

`)
	for _, f := range files {
		kind := "base"
		if f.Overlay {
			kind = "overlay"
		}
		fmt.Fprintf(&b, "  %-28s %-8s %s\n", f.Name, kind, f.Summary)
		if len(f.Required) > 0 {
			fmt.Fprintf(&b, "  %-28s %-8s requires %s\n", "", "", strings.Join(f.Required, ", "))
		}
	}
	b.WriteString("\nEvery other setting comes from environment variables with defaults, listed in each file's header.")
	return b.String()
}
