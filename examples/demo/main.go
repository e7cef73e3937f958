// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Command demo runs the example incident on this machine with no outside service, in the shape it
// has on a cluster (examples/topology: container log files, a node agent, two gateways, a
// Cloud Logging sink; real Jaeger, Google's pstest Pub/Sub, the Elasticsearch stand-in) and
// prints what an engineer needs for the failing job: its trace, every service it crossed with
// timings, its log lines with the pod they came from, and the metric exemplar that points at it.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/examples/topology"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

func main() {
	timeout := flag.Duration("timeout", 2*time.Minute, "give up waiting for the trace after this long")
	flag.Parse()
	if err := run(*timeout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

func run(timeout time.Duration) error {
	ctx := context.Background()
	root, err := processes.RepoRoot()
	if err != nil {
		return err
	}
	dataDir, err := os.MkdirTemp("", "otelcol-mlops-demo-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dataDir) }()

	topo, err := topology.Start(ctx, root, filepath.Join(root, "bin", "otelcol-mlops"), dataDir, step)
	if err != nil {
		return err
	}
	defer func() { _ = topo.Stop() }()
	stack := topo.Stack
	for _, model := range []string{"resnet50", "bert-base"} {
		job, err := stack.RunJob(ctx, model)
		if err != nil {
			return err
		}
		fmt.Printf("    job %-10s X-Trace-ID %s  Pub/Sub message %s\n", model, job.TraceID, job.MessageID)
	}
	failing, err := clickFailingJob(ctx, root, topo)
	if err != nil {
		return err
	}
	fmt.Printf("    job %-10s X-Trace-ID %s  Pub/Sub message %s\n", failing.Model, failing.TraceID, failing.MessageID)

	res, _ := legacyid.Default.Map(failing.TraceID)
	traceID := hex.EncodeToString(res.TraceID[:])
	step("waiting for the failing job's trace to complete in Jaeger (the worker retries %d times, then it is dead-lettered)", seedstack.MaxDeliveryAttempt)
	spans, err := waitForTrace(topo.Jaeger, traceID, timeout)
	if err != nil {
		return err
	}
	report(failing, traceID, spans, topo)
	prometheusReport(root, dataDir, topo, traceID)
	return nil
}

// clickFailingJob starts the failing job as the user did: the example's training UI (web/demo-page) in
// Debian's Chromium, "fail-me" typed in, "Run training job" clicked. The page's click span
// roots the trace; its X-Trace-ID is that trace ID as a UUID. Without Chromium the job is
// started the way the UI's plugin did before (a random UUID, no browser span).
func clickFailingJob(ctx context.Context, root string, topo *topology.Topology) (seedstack.Job, error) {
	pageDir, err := processes.DemoPage(root)
	if err == nil {
		var url string
		if url, err = topo.ServeUI(pageDir); err == nil {
			screenshot := filepath.Join(os.TempDir(), "otelcol-mlops-demo-page.png")
			step("clicking \"Run training job\" for fail-me in headless Chromium (%s)", url)
			var run processes.PageRun
			if run, err = processes.ClickRunTrainingJob(root, url, screenshot, "fail-me"); err == nil && run.Error == "" {
				fmt.Printf("    the page after the click: %s\n", screenshot)
				return seedstack.Job{TraceID: run.XTraceID, Model: "fail-me", MessageID: run.MessageID}, nil
			}
			if err == nil {
				err = errors.New(run.Error)
			}
		}
	}
	step("no browser click (%v): starting fail-me without the UI", err)
	return topo.Stack.RunJob(ctx, "fail-me")
}

// prometheusReport asks a real Prometheus (Debian's package, when installed) what the example's
// Kibana questions asked of logs: p95 latency by model and version, and the exemplar that
// leads from the failing model's latency to its trace.
func prometheusReport(root, dataDir string, topo *topology.Topology, traceID string) {
	targets := map[string][]string{}
	for _, g := range topo.Gateways {
		targets["otelcol-mlops-ml"] = append(targets["otelcol-mlops-ml"], processes.HostPort(g.PrometheusURL))
		targets["otelcol-mlops-telemetry"] = append(targets["otelcol-mlops-telemetry"], processes.HostPort(g.TelemetryURL))
	}
	prom, err := processes.StartPrometheus(root, dataDir, targets)
	if err != nil {
		fmt.Printf("\nPrometheus: %v\n", err)
		return
	}
	defer func() { _ = prom.Stop(10 * time.Second) }()
	fmt.Printf("\nPrometheus (%s, deploy/prometheus/prometheus.yml and rules.yml, exemplar storage on):\n", prom.URL)
	const p95 = `histogram_quantile(0.95, sum by (le, model_name, model_version) (ml_inference_latency_milliseconds_bucket))`
	var samples []processes.Sample
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(samples) == 0; time.Sleep(time.Second) {
		samples, _ = prom.Query(p95)
	}
	fmt.Printf("  %s\n", p95)
	for _, s := range samples {
		fmt.Printf("    %-10s %-6s p95 %6.0f ms\n", s.Labels["model_name"], s.Labels["model_version"], s.Value)
	}
	exemplars, _ := prom.Exemplars(`ml_inference_latency_milliseconds_bucket{model_name="fail-me"}`, 10*time.Minute)
	for _, e := range exemplars {
		mark := ""
		if e.Labels["trace_id"] == traceID {
			mark = "  ← the failing job"
		}
		fmt.Printf("  exemplar of fail-me's latency: %.0f ms, trace_id %s%s\n", e.Value, e.Labels["trace_id"], mark)
	}
}

func waitForTrace(j *processes.Jaeger, traceID string, timeout time.Duration) ([]processes.JaegerSpan, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		spans, err := j.Trace(traceID)
		if err == nil && complete(spans) {
			return spans, nil
		}
		time.Sleep(time.Second)
	}
	return nil, fmt.Errorf("trace %s incomplete after %s", traceID, timeout)
}

func complete(spans []processes.JaegerSpan) bool {
	seen := map[string]bool{}
	for _, s := range spans {
		seen[s.Service] = true
		if s.OperationName == seedstack.DeadLetterTap+" receive" {
			seen["dead-letter"] = true
		}
	}
	for _, want := range []string{"nuxt-ui", "azure-function-api", "ml-worker", seedstack.RegistryService, "gcp-pubsub", "dead-letter"} {
		if !seen[want] {
			return false
		}
	}
	return true
}

type waterfallRow struct {
	span  processes.JaegerSpan
	depth int
}

// waterfall orders spans (sorted by start) depth first under their parents; a span whose
// parent is not in the trace is shown as a root.
func waterfall(spans []processes.JaegerSpan) []waterfallRow {
	byID := map[string]bool{}
	for _, s := range spans {
		byID[s.SpanID] = true
	}
	children := map[string][]processes.JaegerSpan{}
	for _, s := range spans {
		parent := s.ParentID()
		if !byID[parent] || parent == s.SpanID {
			parent = ""
		}
		children[parent] = append(children[parent], s)
	}
	var rows []waterfallRow
	seen := map[string]bool{}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, s := range children[parent] {
			if seen[s.SpanID] {
				continue
			}
			seen[s.SpanID] = true
			rows = append(rows, waterfallRow{s, depth})
			walk(s.SpanID, depth+1)
		}
	}
	walk("", 0)
	return rows
}

func report(job seedstack.Job, traceID string, spans []processes.JaegerSpan, topo *topology.Topology) {
	es := topo.ES
	fmt.Printf("\n================ the failing job, found from its X-Trace-ID in seconds ================\n")
	fmt.Printf("X-Trace-ID (what the UI minted):  %s\n", job.TraceID)
	fmt.Printf("W3C trace ID (Jaeger, trace.id):  %s\n", traceID)

	sort.Slice(spans, func(a, b int) bool { return spans[a].StartTime < spans[b].StartTime })
	t0 := spans[0].StartTime
	fmt.Printf("\nServices it crossed, as Jaeger nests them (/api/traces/%s):\n", traceID)
	for _, n := range waterfall(spans) {
		s := n.span
		status, _ := s.Tag("otel.status_code")
		synth := ""
		if v, _ := s.Tag("otelcol.legacy_spans.synthesized"); v == "true" {
			synth = "  (from its logs)"
		}
		name := strings.Repeat("  ", n.depth) + s.Service + ": " + s.OperationName
		fmt.Printf("  +%8.3fs %9.3fs  %-62s %s%s\n", float64(s.StartTime-t0)/1e6, float64(s.Duration)/1e6, name, status, synth)
	}

	field := func(d esstandin.Doc, path string) string {
		v, _ := esstandin.Field(d.Source, path)
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	// Lines arrive by three routes (the agent, the sink, OTLP), through two gateways whose
	// exporters flush on an interval: wait for every line the services wrote for the job.
	want := 0
	for _, l := range topo.Stack.Logged() {
		if strings.Contains(l.Text, job.TraceID) {
			want++
		}
	}
	var lines []esstandin.Doc
	for deadline := time.Now().Add(45 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		lines = lines[:0]
		fromServices := 0
		for _, d := range es.Docs() {
			if v, ok := esstandin.Field(d.Source, "trace.id"); ok && v == traceID {
				lines = append(lines, d)
				if svc := field(d, "service.name"); svc != "gcp-pubsub" && svc != seedstack.RegistryService {
					fromServices++
				}
			}
		}
		if fromServices >= want {
			break
		}
	}
	sort.SliceStable(lines, func(a, b int) bool { return field(lines[a], "@timestamp") < field(lines[b], "@timestamp") })
	fmt.Printf("\nIts log lines (Elasticsearch, trace.id:%s — %d documents; pod: k8s.namespace.name/k8s.pod.name, from the log file's path or the Cloud Logging entry):\n", traceID, len(lines))
	for _, d := range lines {
		msg := field(d, "message")
		switch {
		case msg != "":
		case field(d, "event_type") != "":
			msg = fmt.Sprintf("%s model=%s latency_ms=%s", field(d, "event_type"), field(d, "model_metadata.model_name"), field(d, "inference_metrics.latency_ms"))
		default:
			msg = fmt.Sprintf("dead-lettered job payload: model_name=%s dataset_id=%s", field(d, "model_name"), field(d, "dataset_id"))
		}
		if len(msg) > 70 {
			msg = msg[:70] + "…"
		}
		fmt.Printf("  %-31s %-26s %-36s %-8s %s\n", field(d, "@timestamp"), field(d, "service.name"), podOf(d), field(d, "log.level"), msg)
	}

	// ml_metrics runs on the gateway that owns the trace: ask each.
	urls := make([]string, len(topo.Gateways))
	for i, g := range topo.Gateways {
		urls[i] = g.PrometheusURL
	}
	url, exemplars := exemplarLines(urls, traceID)
	fmt.Printf("\nThe metric exemplar that points at it (Prometheus %s):\n", url)
	for _, l := range exemplars {
		fmt.Println("  " + l)
	}
	fmt.Printf("\nElasticsearch (stand-in, shipped template): %d documents indexed, %d refused by the mappings\n", len(es.Docs()), es.Refused())
	fmt.Printf("In Kibana: trace.id:%s   In Jaeger: /trace/%s\n", traceID, traceID)
}

func exemplarLines(urls []string, traceID string) (string, []string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, url := range urls {
			if lines := exemplarsAt(url, traceID); len(lines) > 0 {
				return url, lines
			}
		}
		time.Sleep(time.Second)
	}
	return strings.Join(urls, ", "), []string{"(no exemplar yet: ml_metrics flushes every 10s)"}
}

func exemplarsAt(url, traceID string) []string {
	{
		req, _ := http.NewRequest(http.MethodGet, url, http.NoBody)
		req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			var out []string
			for _, l := range strings.Split(string(body), "\n") {
				if strings.Contains(l, `trace_id="`+traceID+`"`) {
					out = append(out, l)
				}
			}
			return out
		}
	}
	return nil
}

// podOf names where a document's line came from.
func podOf(d esstandin.Doc) string {
	ns, _ := esstandin.Field(d.Source, "k8s.namespace.name")
	pod, ok := esstandin.Field(d.Source, "k8s.pod.name")
	if !ok {
		if svc, _ := esstandin.Field(d.Source, "service.name"); svc == "gcp-pubsub" {
			return "(Pub/Sub tap)"
		}
		return "(OTLP)"
	}
	return fmt.Sprintf("%v/%v", ns, pod)
}
