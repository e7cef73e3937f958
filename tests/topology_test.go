// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/examples/topology"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// The incident in its cluster shape (what make demo runs): container log files read by the
// node agent with configs/sidecar.yaml, two gateways behind it, one GPU worker logging
// through a Cloud Logging sink. The failing job's trace is whole in Jaeger with one span per
// service although its records crossed both gateways and two routes, and every line each
// service wrote for it is indexed exactly once, with the pod it came from.
func TestRealTopologyEndToEnd(t *testing.T) {
	ctx := context.Background()
	topo, err := topology.Start(ctx, collectortest.RepoRoot(t), collectortest.Binary(t), t.TempDir(), nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := topo.Stop(); err != nil || t.Failed() {
			t.Logf("stop: %v\n%s", err, topo.Output())
		}
	})
	failing, err := topo.Stack.RunJob(ctx, "fail-me")
	require.NoError(t, err)
	traceID := traceHex(failing.TraceID)

	testutil.Eventually(t, 90*time.Second, func() error {
		spans, err := topo.Jaeger.Trace(traceID)
		if err != nil {
			return err
		}
		perService := map[string]int{}
		for _, s := range spans {
			perService[s.Service]++
		}
		for _, svc := range []string{"nuxt-ui", "azure-function-api", "ml-worker", "model-registry", "recommendation-model-prod"} {
			if perService[svc] != 1 {
				return fmt.Errorf("want one %s span, have %v", svc, perService)
			}
		}
		if !hasDeadLetterSpan(spans) {
			return fmt.Errorf("no dead-letter span yet: %v", perService)
		}
		return nil
	})

	// Every line written for the job, per service and route, against what Elasticsearch holds.
	written := map[string]int{}
	routes := map[string]bool{}
	for _, l := range topo.Stack.Logged() {
		if strings.Contains(l.Text, failing.TraceID) {
			written[l.Service]++
			routes[l.Route] = true
		}
	}
	require.True(t, routes["container_log"] && routes["cloud_logging"], "the job's lines took both routes: %v", routes)
	testutil.Eventually(t, 60*time.Second, func() error {
		indexed := map[string]int{}
		for _, d := range docsFor(topo.ES, traceID) {
			if svc := field(d, "service.name"); written[svc] > 0 {
				indexed[svc]++
			}
		}
		for svc, n := range written {
			if indexed[svc] != n {
				return fmt.Errorf("%s: %d lines written, %d indexed (all: written %v, indexed %v)", svc, n, indexed[svc], written, indexed)
			}
		}
		return nil
	})

	// Lines read from container log files name their pod, as the agent found it in the path.
	fromFiles := 0
	for _, d := range docsFor(topo.ES, traceID) {
		if _, ok := esstandin.Field(d.Source, "log.file.path"); !ok {
			continue
		}
		fromFiles++
		svc := field(d, "service.name")
		assert.Equal(t, svc, field(d, "k8s.container.name"), "service.name is the container's name")
		// .../<namespace>_<pod>_<uid>/<container>/0.log
		podDir := strings.SplitN(filepath.Base(filepath.Dir(filepath.Dir(field(d, "log.file.path")))), "_", 3)
		require.Len(t, podDir, 3, field(d, "log.file.path"))
		assert.Equal(t, podDir[0], field(d, "k8s.namespace.name"))
		assert.Equal(t, podDir[1], field(d, "k8s.pod.name"))
		assert.Equal(t, podDir[2], field(d, "k8s.pod.uid"))
	}
	assert.Positive(t, fromFiles)
}
