// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

// Package tests holds the integration tests that run the real otelcol-mlops binary.
package tests

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"golang.org/x/mod/modfile"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-mlops/otelcol-mlops/configs"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

const (
	collectorCoreStable = "v1.58.0"
	collectorCoreBeta   = "v0.152.0"
	contribVersion      = "v0.152.0"
)

// The distribution is only known to build and run with this exact set (the module proxy it is
// built with serves no consistent newer one: README, "Using our components"); Go
// silently moves versions when an import path is wrong, so drift must fail loudly. The
// modules that build the distribution from this checkout (the tests, examples, benchmark) must
// pin the same set, or they would test and measure another collector.
func TestCollectorVersionsArePinned(t *testing.T) {
	root := collectortest.RepoRoot(t)
	for _, module := range []string{".", "examples", "bench", "tests"} {
		t.Run(module, func(t *testing.T) {
			mf := readModFile(t, filepath.Join(root, module, "go.mod"))
			checked := 0
			for _, req := range mf.Require {
				path, version := req.Mod.Path, req.Mod.Version
				switch {
				case strings.HasPrefix(path, "github.com/open-telemetry/opentelemetry-collector-contrib/"):
					if version != contribVersion {
						t.Errorf("%s is at %s, want %s", path, version, contribVersion)
					}
				case path == "go.opentelemetry.io/collector" || strings.HasPrefix(path, "go.opentelemetry.io/collector/"):
					if version != collectorCoreStable && version != collectorCoreBeta {
						t.Errorf("%s is at %s, want %s or %s", path, version, collectorCoreStable, collectorCoreBeta)
					}
				default:
					continue
				}
				checked++
			}
			if module == "." && checked < 30 || checked == 0 {
				t.Fatalf("only %d collector modules in %s/go.mod; is this the right go.mod?", checked, module)
			}
			for _, rep := range mf.Replace {
				if strings.Contains(rep.Old.Path, "opentelemetry") {
					t.Errorf("replace directive for %s: the pins must hold without replaces", rep.Old.Path)
				}
			}
		})
	}
}

// An ocb build that imports our components gets the distribution's go.mod and nothing of the
// modules that only test, demonstrate or measure it (README, "Modules").
func TestDistributionModuleRequiresNoCheckoutModule(t *testing.T) {
	mf := readModFile(t, filepath.Join(collectortest.RepoRoot(t), "go.mod"))
	onlyElsewhere := map[string]bool{
		"github.com/otelcol-mlops/otelcol-mlops/examples":             true,
		"github.com/otelcol-mlops/otelcol-mlops/bench":                true,
		"github.com/otelcol-mlops/otelcol-mlops/tests":                true,
		"github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid": true,
		"golang.org/x/mod": true,
	}
	for _, req := range mf.Require {
		if onlyElsewhere[req.Mod.Path] {
			t.Errorf("the distribution's go.mod requires %s, which only the checkout modules use", req.Mod.Path)
		}
	}
}

func readModFile(t *testing.T, path string) *modfile.File {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := modfile.Parse(path, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	return mf
}

// overlayEnv is what the overlays require (a syntactically valid connection string: the
// receiver parses it at validation).
var overlayEnv = []string{
	"AZURE_EVENTHUB_CONNECTION=" + azureConnection,
	"CLOUD_LOGGING_SUBSCRIPTION=gke-logs-otel",
	"GATEWAY_OTLP_CORS_ORIGINS=[https://app.example.com]",
	"K8S_NODE_NAME=node-1",
	"GATEWAY_DNS_NAME=otelcol-mlops-gateway.observability.svc.cluster.local",
	"METRICS_OTLP_ENDPOINT=mimir-distributor.monitoring.svc:4317",
}

const azureConnection = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0;EntityPath=function-logs"

// overlayBase returns configs/<base>.yaml for an overlay configs/<base>-<what>.yaml, else "".
func overlayBase(path string) string {
	name := filepath.Base(path)
	i := strings.IndexByte(name, '-')
	if i < 0 {
		return ""
	}
	base := filepath.Join(filepath.Dir(path), name[:i]+".yaml")
	if _, err := os.Stat(base); err != nil {
		return ""
	}
	return base
}

func TestComponentsListsTheDistribution(t *testing.T) {
	out, err := collectortest.Run(t, "components")
	if err != nil {
		t.Fatalf("components: %v\n%s", err, out)
	}
	want := []string{
		"otlp", "file_log", "azure_event_hub", "pubsub_trace",
		"batch", "memory_limiter", "transform", "attributes", "resource", "filter", "redaction",
		"k8s_attributes", "resourcedetection", "probabilistic_sampler", "tail_sampling",
		"debug", "otlp_grpc", "otlp_http", "elasticsearch", "loadbalancing", "prometheus", "file",
		"span_metrics", "count", "routing",
		"file_storage", "health_check",
		"env", "file", "yaml",
	}
	for _, name := range want {
		if !strings.Contains(out, "name: "+name+"\n") && !strings.Contains(out, "scheme: "+name+"\n") {
			t.Errorf("components output lacks %q", name)
		}
	}
}

// The README's component tables list exactly what the binary has: our components (those
// with a signal column) and the upstream ones, by the names otelcol-mlops components prints.
func TestComponentsMatchTheREADME(t *testing.T) {
	out, err := collectortest.Run(t, "components")
	require.NoError(t, err, out)
	var listed map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(out[strings.Index(out, "buildinfo:"):]), &listed))
	built := map[string]bool{}
	for _, kind := range []string{"receivers", "processors", "exporters", "connectors", "extensions"} {
		for _, c := range listed[kind].([]any) {
			built[c.(map[string]any)["name"].(string)] = true
		}
	}
	for _, p := range listed["providers"].([]any) {
		built[p.(map[string]any)["scheme"].(string)] = true
	}

	raw, err := os.ReadFile(filepath.Join(collectortest.RepoRoot(t), "README.md"))
	require.NoError(t, err)
	section := string(raw)[strings.Index(string(raw), "\n## Components"):]
	section = section[:strings.Index(section[1:], "\n## ")+1]
	documented := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		first, second := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])
		switch {
		case strings.HasPrefix(first, "`") && slices.Contains([]string{"receiver", "processor", "exporter", "connector", "extension"}, second): // ours: | `name` | kind | ...
			documented[strings.Trim(first, "`")] = true
		case !strings.HasPrefix(first, "`") && strings.Contains(second, "`"): // upstream: | kind | `a`, `b` |
			for _, name := range strings.Split(second, ",") {
				documented[strings.Trim(strings.TrimSpace(name), "`")] = true
			}
		}
	}
	for name := range built {
		assert.True(t, documented[name], "%s is built in but not in the README's tables", name)
	}
	for name := range documented {
		assert.True(t, built[name], "the README lists %s, which otelcol-mlops components does not", name)
	}
}

func TestShippedConfigsValidate(t *testing.T) {
	root := collectortest.RepoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "configs", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no configs found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			args := []string{"validate", "--config", f}
			if base := overlayBase(f); base != "" { // an overlay is only ever run over its base
				args = []string{"validate", "--config", base, "--config", f}
			}
			if out, err := collectortest.RunEnv(t, overlayEnv, args...); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
		})
	}
	// Each overlay, started without what it needs, names every missing variable, at once.
	for _, f := range configs.Files() {
		if !f.Overlay || len(f.Required) == 0 {
			continue
		}
		t.Run(f.Name+" without its variables", func(t *testing.T) {
			for _, name := range f.Required {
				t.Setenv(name, "")
				require.NoError(t, os.Unsetenv(name))
			}
			overlay := filepath.Join(root, "configs", f.Name)
			out, err := collectortest.Run(t, "validate", "--config", overlayBase(overlay), "--config", overlay)
			require.Error(t, err, "validate passed without %v", f.Required)
			for _, name := range f.Required {
				assert.Contains(t, out, name, "the error names %s", name)
			}
		})
	}
	t.Run("embedded default", func(t *testing.T) {
		if out, err := collectortest.Run(t, "validate"); err != nil {
			t.Fatalf("validate without --config: %v\n%s", err, out)
		}
	})
}

func TestValidateRejectsABadConfig(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	cfg := "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:4317\n" +
		"exporters:\n  debug:\n    verbosity: loud\n" +
		"service:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n"
	if err := os.WriteFile(bad, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := collectortest.Run(t, "validate", "--config", bad)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("validate accepted an invalid config: %v\n%s", err, out)
	}
	if !strings.Contains(out, "verbosity") {
		t.Fatalf("the error does not name the bad setting:\n%s", out)
	}
}

// The embedded default end to end: accept OTLP on 127.0.0.1, write what it receives under the
// data directory, say where outputs go, and exit cleanly on SIGTERM.
func TestEmbeddedDefaultSmoke(t *testing.T) {
	dataDir := t.TempDir()
	p := collectortest.Start(t, t.TempDir(), []string{"OTELCOL_MLOPS_DATA_DIR=" + dataDir})
	collectortest.WaitHealthy(t, p, "http://127.0.0.1:13133/", 60*time.Second)

	for _, want := range []string{"embedded default", dataDir + "/logs.jsonl", "127.0.0.1:4317"} {
		if !strings.Contains(p.Output(), want) {
			t.Errorf("start-up output does not mention %q", want)
		}
	}

	marker := "smoke-" + time.Now().Format("150405.000000")
	sendLog(t, "127.0.0.1:4317", marker, "4bf92f35-77b3-4da6-a3ce-929d0e0e4736")

	logsFile := filepath.Join(dataDir, "logs.jsonl")
	testutil.Eventually(t, 20*time.Second, func() error {
		raw, err := os.ReadFile(logsFile)
		if err != nil {
			return err
		}
		if !strings.Contains(string(raw), marker) {
			return errors.New("log not in file output yet")
		}
		// The embedded default bridges the legacy UUID to the W3C trace ID...
		if !strings.Contains(string(raw), `"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"`) {
			return fmt.Errorf("log written without the bridged trace ID: %s", raw)
		}
		// ...and parses, validates and enriches ML records.
		if !strings.Contains(string(raw), `"key":"mean_confidence","value":{"doubleValue":0.75}`) {
			return fmt.Errorf("inference record not enriched: %s", raw)
		}
		return nil
	})

	if err := p.Stop(10 * time.Second); err != nil {
		t.Fatalf("unclean exit after SIGTERM: %v", err)
	}
	// Open legacy span groups and aggregated ML metrics are flushed at shutdown, not lost.
	for file, want := range map[string]string{
		"traces.jsonl":  `"otelcol.legacy_spans.synthesized"`,
		"metrics.jsonl": `"ml.inference.latency"`,
	} {
		raw, err := os.ReadFile(filepath.Join(dataDir, file))
		if err != nil || !strings.Contains(string(raw), want) {
			t.Errorf("%s lacks %s after shutdown (%v)", file, want, err)
		}
	}
}

func sendLog(t *testing.T, endpoint, body, legacyTraceID string) {
	t.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "smoke-test")
	rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.Body().SetStr(body)
	rec.Attributes().PutStr("trace_id", legacyTraceID)
	inference := rl.ScopeLogs().At(0).LogRecords().AppendEmpty()
	inference.Body().SetStr(`{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-1", "service": "model", ` +
		`"event_type": "inference_complete", "trace_id": "` + legacyTraceID + `", ` +
		`"model_metadata": {"model_name": "m", "model_version": "1"}, "inference_metrics": {"latency_ms": 87}, ` +
		`"output": {"confidence_scores": [0.9, 0.6]}}`)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(logs)); err != nil {
		t.Fatalf("OTLP export: %v", err)
	}
}

// The embedded default under load, as a developer stops it (SIGTERM while a service still
// sends): it starts in a working directory without a data folder (it creates it), and every
// log it accepted before it stopped accepting is in its output file — its batch processor's
// memory is flushed in pipeline order, not cut off.
func TestEmbeddedDefaultSIGTERMUnderLoadKeepsEverythingAccepted(t *testing.T) {
	workDir := t.TempDir()
	p := collectortest.Start(t, workDir, nil)
	collectortest.WaitHealthy(t, p, "http://127.0.0.1:13133/", 60*time.Second)

	conn, err := grpc.NewClient("127.0.0.1:4317", grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	client := plogotlp.NewGRPCClient(conn)
	var accepted []int
	stopAt := time.Now().Add(2 * time.Second)
	stopped := make(chan error, 1)
	for seq := 0; !p.Exited(); seq += 50 {
		if !stopAt.IsZero() && time.Now().After(stopAt) {
			go func() { stopped <- p.Stop(60 * time.Second) }()
			stopAt = time.Time{}
		}
		ld := plog.NewLogs()
		recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for i := seq; i < seq+50; i++ {
			recs.AppendEmpty().Body().SetStr(fmt.Sprintf(`{"level": "INFO", "message": "seq-%d-end", "trace_id": "job-%d"}`, i, i%13))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := client.Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
		cancel()
		if err == nil {
			for i := seq; i < seq+50; i++ {
				accepted = append(accepted, i)
			}
		}
	}
	require.NoError(t, <-stopped, "a clean exit after SIGTERM")
	require.NotEmpty(t, accepted)
	raw, err := os.ReadFile(filepath.Join(workDir, "data", "logs.jsonl"))
	require.NoError(t, err, "the embedded default writes under ./data, which it creates")
	written := map[int]bool{}
	for rest := string(raw); ; {
		i := strings.Index(rest, "seq-")
		if i < 0 {
			break
		}
		rest = rest[i+len("seq-"):]
		if n, after, ok := strings.Cut(rest, "-end"); ok {
			if seq, err := strconv.Atoi(n); err == nil {
				written[seq] = true
			}
			rest = after
		}
	}
	missing := 0
	for _, seq := range accepted {
		if !written[seq] {
			missing++
		}
	}
	t.Logf("%d logs accepted before the SIGTERM took effect", len(accepted))
	assert.Zero(t, missing, "accepted logs missing from data/logs.jsonl")
}

// Every source file says its license (Apache-2.0, LICENSE), as the collector's and contrib's
// do; golangci-lint's goheader checks the Go files' exact header, this the rest.
func TestSourceFilesCarryTheLicense(t *testing.T) {
	root := collectortest.RepoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "*.go", "*.sh", ".ci/run").Output()
	require.NoError(t, err)
	license, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	require.NoError(t, err)
	assert.Contains(t, string(license), "Apache License\n                           Version 2.0")
	for _, name := range strings.Fields(string(out)) {
		raw, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		head := string(raw[:min(len(raw), 400)])
		if strings.Contains(head, "Code generated") && strings.Contains(head, "DO NOT EDIT") {
			continue // generated by ocb or mdatagen, regenerated from their templates
		}
		assert.Contains(t, head, "SPDX-License-Identifier: Apache-2.0", name)
	}
}

// Each component README carries the status section mdatagen writes from its metadata.yaml
// (make metadata; make check-generated fails when one is stale), not a hand-written copy that
// can drift from it.
func TestComponentREADMEsMatchTheirMetadata(t *testing.T) {
	root := collectortest.RepoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "*", "*", "metadata.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		readme, err := os.ReadFile(filepath.Join(filepath.Dir(f), "README.md"))
		require.NoError(t, err, "%s has no README", filepath.Dir(f))
		_, section, found := strings.Cut(string(readme), "<!-- status autogenerated section -->")
		section, _, closed := strings.Cut(section, "<!-- end autogenerated section -->")
		if assert.True(t, found && closed, "%s: no mdatagen status section", f) {
			assert.Contains(t, section, "[otelcol-mlops]", "%s: the distribution", f)
			assert.Regexp(t, `\[alpha\]`, section, "%s: the stability", f)
		}
		assert.NotRegexp(t, `(?m)^\| Stability \| [a-z]`, string(readme), "%s: a hand-written status row", f)
	}
}
