// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// The shipped rules load, and compute and alert what they say on series shaped as the gateway
// exports them (deploy/prometheus/rules_test.yml).
func TestPrometheusRules(t *testing.T) {
	dir := filepath.Join(collectortest.RepoRoot(t), "deploy", "prometheus")
	for _, args := range [][]string{{"check", "rules", "rules.yml"}, {"test", "rules", "rules_test.yml"}} {
		cmd := exec.Command("promtool", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool %v (apt-get install -y prometheus):\n%s", args, out)
	}
}

func hostPort(metricsURL string) string { return processes.HostPort(metricsURL) }

// A real Prometheus scrapes the gateway with the shipped scrape jobs and rules: p95 latency
// by model and version comes out of histogram_quantile, and the failing model's exemplars
// carry the failing job's trace ID.
func TestPrometheusScrapesTheGateway(t *testing.T) {
	inc := startIncident(t)
	prom, err := processes.StartPrometheus(collectortest.RepoRoot(t), t.TempDir(), map[string][]string{
		"otelcol-mlops-ml":        {hostPort(inc.gateway.PrometheusURL)},
		"otelcol-mlops-telemetry": {hostPort(inc.gateway.TelemetryURL)},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := prom.Stop(10 * time.Second); err != nil || t.Failed() {
			t.Logf("prometheus: %v\n%s", err, prom.Output())
		}
	})

	ctx := context.Background()
	failing := map[string]bool{}
	runJobs := func() {
		for _, model := range []string{"fail-me", "resnet50"} {
			job, err := inc.stack.RunJob(ctx, model)
			require.NoError(t, err)
			if model == "fail-me" {
				failing[traceHex(job.TraceID)] = true
			}
		}
	}
	// rate() needs the counters to grow while Prometheus watches: one round before its first
	// samples of the series, one after.
	runJobs()
	testutil.Eventually(t, 60*time.Second, func() error {
		got, err := prom.Query(`ml_inference_latency_milliseconds_count{model_name="fail-me"}`)
		if err == nil && len(got) == 0 {
			err = fmt.Errorf("no fail-me latency series scraped yet")
		}
		return err
	})
	runJobs()

	var p95 []processes.Sample
	testutil.Eventually(t, 90*time.Second, func() error {
		p95, err = prom.Query(`histogram_quantile(0.95, sum by (le, model_name, model_version) (rate(ml_inference_latency_milliseconds_bucket[1m])))`)
		if err != nil {
			return err
		}
		models := map[string]float64{}
		for _, s := range p95 {
			if !math.IsNaN(s.Value) { // the series grew within the window
				models[s.Labels["model_name"]+" "+s.Labels["model_version"]] = s.Value
			}
		}
		if _, ok := models["fail-me 0.0.1"]; !ok {
			return fmt.Errorf("p95 by model and version so far: %v", models)
		}
		if _, ok := models["resnet50 3.2.1"]; !ok {
			return fmt.Errorf("p95 by model and version so far: %v", models)
		}
		return nil
	})
	for _, s := range p95 {
		switch s.Labels["model_name"] {
		case "fail-me": // 2400 ms each: the (1000, 2500] bucket
			assert.Greater(t, s.Value, 1000.0)
			assert.LessOrEqual(t, s.Value, 2500.0)
		case "resnet50": // 87 ms each: the (50, 100] bucket
			assert.Greater(t, s.Value, 50.0)
			assert.LessOrEqual(t, s.Value, 100.0)
		}
	}

	// The exemplars of the failing model lead to the failing jobs' traces.
	testutil.Eventually(t, 60*time.Second, func() error {
		exemplars, err := prom.Exemplars(`ml_inference_latency_milliseconds_bucket{model_name="fail-me"}`, 10*time.Minute)
		if err != nil {
			return err
		}
		if len(exemplars) == 0 {
			return fmt.Errorf("no exemplars for fail-me yet")
		}
		for _, e := range exemplars {
			if !failing[e.Labels["trace_id"]] {
				return fmt.Errorf("exemplar %v is not one of the failing jobs' traces %v", e.Labels, failing)
			}
		}
		return nil
	})

	// The shipped recording rules evaluate on the real series: the error ratio by model.
	testutil.Eventually(t, 60*time.Second, func() error {
		got, err := prom.Query(`model:ml_inference_error_ratio:rate5m{model_name="fail-me"}`)
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].Value != 1 {
			return fmt.Errorf("fail-me's error ratio: %v (every fail-me inference fails)", got)
		}
		return nil
	})
	got, err := prom.Query(`up`)
	require.NoError(t, err)
	for _, s := range got {
		assert.Equal(t, 1.0, s.Value, "job %s is scraped", s.Labels["job"])
	}
	assert.Len(t, got, 2, "both shipped jobs")
}
