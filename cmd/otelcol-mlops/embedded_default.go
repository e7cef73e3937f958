package main

// This file is ours, not ocb's: `make generate` rewrites the other files of this folder and
// leaves this one alone. It makes the binary run the embedded configs/local.yaml when it is
// started (or validated) without --config, the way Jaeger's all-in-one starts with no flags.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/otelcol-mlops/otelcol-mlops/configs"
)

func init() {
	args, embedded := withEmbeddedDefault(os.Args)
	if embedded && subcommand(os.Args) == "" {
		announceEmbeddedDefault(os.Stderr, os.Getenv(configs.DataDirEnv))
	}
	os.Args = args
}

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

// withEmbeddedDefault adds the embedded configuration as a yaml: config URI when the command
// runs or validates a collector and no --config was given. It reports whether it did.
func withEmbeddedDefault(args []string) ([]string, bool) {
	switch subcommand(args) {
	case "", "validate":
	default:
		return args, false
	}
	for _, arg := range args[1:] {
		switch {
		case arg == "--config", strings.HasPrefix(arg, "--config="),
			arg == "-h", arg == "--help", arg == "-v", arg == "--version":
			return args, false
		}
	}
	out := make([]string, 0, len(args)+1)
	out = append(out, args...)
	out = append(out, "--config=yaml:"+configs.LocalYAML)
	return out, true
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
