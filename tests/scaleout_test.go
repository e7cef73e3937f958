// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// Two gateways behind a sidecar's load-balancing exporter: every log of one trace lands on one
// gateway, so legacy_spans and ml_metrics stay right when a cluster outgrows one gateway. The
// sidecar reads container log files as they are on a node: Docker JSON, CRI and raw lines.
func TestScaleOutKeepsTracesTogether(t *testing.T) {
	root := collectortest.RepoRoot(t)
	jaeger, err := processes.StartJaeger(root)
	require.NoError(t, err)
	t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })

	type gw struct {
		es *esstandin.Server
		g  *processes.Gateway
	}
	var gateways []gw
	for range 2 {
		es := startStandin(t)
		g := startFaultGatewayWith(t, es, map[string]string{"JAEGER_OTLP_ENDPOINT": jaeger.OTLPGRPC})
		t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
		gateways = append(gateways, gw{es, g})
	}

	logDir := t.TempDir()
	const traces = 40
	var docker, cri, raw strings.Builder
	for i := range traces {
		id := fmt.Sprintf("job-%03d", i)
		line := fmt.Sprintf(`{"timestamp": "2024-05-14 10:03:%02d,501", "level": "INFO", "worker_id": "gpu-worker-7", "trace_id": %q, "message": "Starting processing for model: m%d"}`, i%60, id, i)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&docker, `{"log":%q,"stream":"stdout","time":"2024-05-14T10:03:21.522Z"}`+"\n", line+"\n")
		case 1:
			fmt.Fprintf(&cri, "2024-05-14T10:03:21.522000000Z stdout F %s\n", line)
		default:
			raw.WriteString(line + "\n")
		}
		// A second service logs the same trace, from the same node.
		fmt.Fprintf(&raw, `{"timestamp": "2024-05-14 10:03:%02d,900", "level": "ERROR", "worker_id": "gpu-worker-8", "trace_id": %q, "message": "retrying"}`+"\n", i%60, id)
	}
	// A line that leaks credentials: the sidecar's redaction must mask them before they leave.
	const bearer, apiKey = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig", "sk_live_51HxYzAbCdEf"
	fmt.Fprintf(&raw, `{"level": "WARNING", "trace_id": "job-000", "message": "registry call failed with Authorization: Bearer %s", "config": "api_key=%s"}`+"\n", bearer, apiKey)
	for name, content := range map[string]string{"docker.log": docker.String(), "cri.log": cri.String(), "raw.log": raw.String()} {
		require.NoError(t, os.WriteFile(filepath.Join(logDir, name), []byte(content), 0o600))
	}
	sidecar := startTestSidecar(t, logDir, t.TempDir(), []string{gateways[0].g.OTLPGRPC, gateways[1].g.OTLPGRPC},
		map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=ml-worker"})
	stopOnCleanup(t, sidecar)

	where := map[string]map[int]int{} // trace ID → gateway → documents
	testutil.Eventually(t, 60*time.Second, func() error {
		where = map[string]map[int]int{}
		total := 0
		for gi, g := range gateways {
			for _, d := range g.es.Docs() {
				id, ok := esstandin.Field(d.Source, "trace.id")
				if !ok {
					continue
				}
				if where[fmt.Sprint(id)] == nil {
					where[fmt.Sprint(id)] = map[int]int{}
				}
				where[fmt.Sprint(id)][gi]++
				total++
			}
		}
		if total < 2*traces+1 {
			return fmt.Errorf("%d of %d log lines indexed", total, 2*traces+1)
		}
		return nil
	})
	perGateway := map[int]int{}
	leakTrace := ""
	for id, byGW := range where {
		assert.Len(t, byGW, 1, "trace %s split across gateways: %v", id, byGW)
		for gi, n := range byGW {
			if n == 3 && leakTrace == "" { // job-000 also has the leaking line
				leakTrace = id
				n--
			}
			assert.Equal(t, 2, n, "trace %s: both services' lines", id)
			perGateway[gi]++
		}
	}
	redacted := false
	for _, g := range gateways {
		for _, d := range g.es.Docs() {
			text := fmt.Sprint(d.Source)
			assert.NotContains(t, text, bearer, "bearer token left the node")
			assert.NotContains(t, text, apiKey, "API key left the node")
			if strings.Contains(text, "registry call failed") {
				redacted = true
			}
		}
	}
	assert.True(t, redacted, "the line itself is kept, masked")
	assert.Len(t, where, traces, "every trace arrived (Docker, CRI and raw lines)")
	assert.Len(t, perGateway, 2, "both gateways took a share: %v", perGateway)
}
