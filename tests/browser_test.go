// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/examples/topology"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

var v4UUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// browserIncident is the seed's chain from the browser: the page (web/demo-page) served by the
// seed's API, Debian's Chromium clicking "Run training job", the gateway with CORS for the
// page's origin, pstest, real Jaeger and the Elasticsearch stand-in.
type browserIncident struct {
	*incident
	pageURL string
	// otherOrigin serves the same page and API from an origin the gateway does not allow.
	otherOrigin func() string
}

func startBrowserIncident(t *testing.T) browserIncident {
	t.Helper()
	root := collectortest.RepoRoot(t)
	pageDir, err := processes.DemoPage(root)
	require.NoError(t, err)
	jaeger, es, srv, ps := startPeers(t)
	// Listening now holds the port: the gateway's CORS list names this origin.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	origin := "http://" + l.Addr().String()
	env := incidentGatewayEnv(t, jaeger, es, srv.Addr)
	env["GATEWAY_OTLP_CORS_ORIGINS"] = "[" + origin + "]"
	gateway := startGatewayLogged(t, env, filepath.Join(root, "configs", "gateway-pubsub-taps.yaml"), filepath.Join(root, "configs", "gateway-browser.yaml"))
	stack, err := seedstack.Start(context.Background(), gateway.OTLPGRPC, ps, project, 2)
	require.NoError(t, err)
	t.Cleanup(func() { _ = stack.Stop(context.Background()) })

	api := &http.Server{Handler: stack.APIHandler(pageDir), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = api.Serve(l) }()
	t.Cleanup(func() { _ = api.Close() })
	pageURL := func(origin string) string {
		return fmt.Sprintf("%s/index.html?otlp=http://%s/v1/traces", origin, gateway.BrowserOTLP)
	}
	return browserIncident{
		incident: &incident{jaeger: jaeger, es: es, gateway: gateway, stack: stack},
		pageURL:  pageURL(origin),
		otherOrigin: func() string {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			other := &http.Server{Handler: stack.APIHandler(pageDir), ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = other.Serve(l) }()
			t.Cleanup(func() { _ = other.Close() })
			return pageURL("http://" + l.Addr().String())
		},
	}
}

// The chain from the user's click, in a real browser: the page's click span is the root of
// the job's trace in Jaeger; the X-Trace-ID the API logs is that trace ID written as a v4
// UUID, so the API's, the registry's and the workers' spans and log lines are in the page's
// trace; and the browser's spans reached the gateway across origins through CORS.
func TestBrowserClickStartsTheJobsTrace(t *testing.T) {
	inc := startBrowserIncident(t)
	run, err := processes.ClickRunTrainingJob(collectortest.RepoRoot(t), inc.pageURL, filepath.Join(t.TempDir(), "page.png"), "resnet50")
	require.NoError(t, err)
	t.Logf("page: %+v", run)
	require.Empty(t, run.Error, "the page's request failed")
	require.Regexp(t, `^[0-9a-f]{32}$`, run.TraceID)
	assert.Regexp(t, v4UUID, run.XTraceID, "the legacy header is a genuine v4 UUID")
	mapped, ok := legacyid.Default.Map(run.XTraceID)
	require.True(t, ok)
	assert.Equal(t, run.TraceID, hex.EncodeToString(mapped.TraceID[:]), "X-Trace-ID is the page's trace ID")
	assert.NotEmpty(t, run.MessageID, "the job was published")

	var spans []processes.JaegerSpan
	testutil.Eventually(t, 90*time.Second, func() error {
		spans, err = inc.jaeger.Trace(run.TraceID)
		if err != nil {
			return err
		}
		services := map[string]int{}
		for _, s := range spans {
			services[s.Service]++
		}
		for _, want := range []string{"nuxt-ui", "azure-function-api", "model-registry", "gcp-pubsub", "ml-worker"} {
			if services[want] == 0 {
				return fmt.Errorf("no %s span yet; have %v", want, services)
			}
		}
		return nil
	})
	var click *processes.JaegerSpan
	for i, s := range spans {
		if s.Service == "nuxt-ui" && s.OperationName == "click Run training job" {
			click = &spans[i]
		}
	}
	require.NotNil(t, click, "the browser's click span is in the job's trace")
	assert.Empty(t, click.ParentID(), "the click is the trace's root")
	nuxt := 0
	for _, s := range spans {
		if s.Service == "nuxt-ui" {
			nuxt++
			_, synthesized := s.Tag("otelcol.legacy_spans.synthesized")
			assert.False(t, synthesized, "the page's own spans, none synthesised from its logs")
		}
	}
	assert.Equal(t, 1, nuxt, "one nuxt-ui span: the click")
	for _, s := range spans {
		if s.Service == "azure-function-api" {
			assert.Equal(t, click.SpanID, s.ParentID(), "the API's span hangs under the page's click")
		}
	}

	// Elasticsearch: the page's own log line (an OTLP log in the click's span) and the API's
	// and the workers' lines carry the page's trace ID.
	testutil.Eventually(t, 60*time.Second, func() error {
		seen := map[string]bool{}
		for _, d := range docsFor(inc.es, run.TraceID) {
			svc, _ := esstandin.Field(d.Source, "service.name")
			seen[fmt.Sprint(svc)] = true
		}
		for _, want := range []string{"nuxt-ui", "azure-function-api", "ml-worker", "model-registry"} {
			if !seen[want] {
				return errors.New("no " + want + " log under the page's trace.id yet")
			}
		}
		return nil
	})
	for _, d := range docsFor(inc.es, run.TraceID) {
		if svc, _ := esstandin.Field(d.Source, "service.name"); svc == "nuxt-ui" {
			span, _ := esstandin.Field(d.Source, "span.id")
			assert.Equal(t, click.SpanID, span, "the page's log line is in the click's span")
			assert.Contains(t, fmt.Sprint(d.Source), "Run training job clicked for model resnet50")
		}
	}
}

// A page on an origin the gateway does not list: the browser's export is refused by CORS, so
// none of the page's spans reach the gateway; the job still runs and its backend spans and
// lines are in the page's trace (the X-Trace-ID is still the page's trace ID).
func TestBrowserOnADisallowedOriginExportsNothing(t *testing.T) {
	inc := startBrowserIncident(t)
	run, err := processes.ClickRunTrainingJob(collectortest.RepoRoot(t), inc.otherOrigin(), filepath.Join(t.TempDir(), "page.png"), "resnet50")
	require.NoError(t, err)
	require.Empty(t, run.Error)
	assert.Contains(t, fmt.Sprint(run.Console), "CORS", "the browser says why it sent nothing")
	mapped, ok := legacyid.Default.Map(run.XTraceID)
	require.True(t, ok)
	require.Equal(t, run.TraceID, hex.EncodeToString(mapped.TraceID[:]))

	var spans []processes.JaegerSpan
	testutil.Eventually(t, 90*time.Second, func() error {
		spans, err = inc.jaeger.Trace(run.TraceID)
		if err != nil {
			return err
		}
		for _, s := range spans {
			if s.Service == "ml-worker" {
				return nil
			}
		}
		return errors.New("no ml-worker span yet")
	})
	for _, s := range spans {
		assert.NotEqual(t, "nuxt-ui", s.Service, "a span from a page on a disallowed origin: %s", s.OperationName)
	}
	for _, d := range docsFor(inc.es, run.TraceID) {
		svc, _ := esstandin.Field(d.Source, "service.name")
		assert.NotEqual(t, "nuxt-ui", svc, "a log line from a page on a disallowed origin")
	}
}

// Two gateways behind the agent, the page exporting to the first one only: each click's
// spans are handed to the gateway that owns the trace, where the API's logs were routed, so
// every job's API span hangs under its click whichever gateway owns it. (Without the
// hand-off, half the jobs would show the API under a missing parent.)
func TestBrowserClicksAcrossTwoGateways(t *testing.T) {
	root := collectortest.RepoRoot(t)
	pageDir, err := processes.DemoPage(root)
	require.NoError(t, err)
	topo, err := topology.Start(context.Background(), root, collectortest.Binary(t), t.TempDir(), nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := topo.Stop(); err != nil || t.Failed() {
			t.Logf("stop: %v\n%s", err, topo.Output())
		}
	})
	url, err := topo.ServeUI(pageDir)
	require.NoError(t, err)

	// Click until each gateway owns at least one of the jobs (the ring decides; 12 clicks all
	// on one gateway is a 1 in 2048 chance): then the page's spans crossed gateways.
	var runs []processes.PageRun
	owns := func() (both bool) {
		both = true
		for _, g := range topo.Gateways {
			emitted, err := processes.MetricSum(g.TelemetryURL, "otelcol_connector_legacy_spans_emitted")
			require.NoError(t, err)
			both = both && emitted > 0
		}
		return both
	}
	for len(runs) < 12 && (len(runs) < 2 || !owns()) {
		run, err := processes.ClickRunTrainingJob(root, url, filepath.Join(t.TempDir(), "page.png"), "resnet50")
		require.NoError(t, err)
		require.Empty(t, run.Error)
		runs = append(runs, run)
		time.Sleep(6 * time.Second) // legacy_spans' idle_timeout: the job's synthesised spans are out
	}
	require.True(t, owns(), "after %d jobs, one gateway owns none", len(runs))
	for _, run := range runs {
		testutil.Eventually(t, 90*time.Second, func() error {
			spans, err := topo.Jaeger.Trace(run.TraceID)
			if err != nil {
				return err
			}
			var click, api *processes.JaegerSpan
			for i, s := range spans {
				switch {
				case s.Service == "nuxt-ui" && s.OperationName == "click Run training job":
					click = &spans[i]
				case s.Service == "azure-function-api":
					api = &spans[i]
				}
			}
			if click == nil || api == nil {
				return fmt.Errorf("trace %s: no click or API span yet", run.TraceID)
			}
			if api.ParentID() != click.SpanID {
				return fmt.Errorf("trace %s: the API span's parent is %s, not the click %s", run.TraceID, api.ParentID(), click.SpanID)
			}
			return nil
		})
	}
	t.Logf("%d jobs, each gateway owning some", len(runs))
}

// The seed's plugin as written (a random UUID per request beside the SDK's traceparent): the
// job splits into two traces, the backend's under the random UUID and the page's own, joined
// only by the span link the bridge adds from the header the page recorded on its span. What
// web/xtraceid's interceptor avoids.
func TestBrowserWithTheSeedsPluginGivesALinkedSecondTrace(t *testing.T) {
	inc := startBrowserIncident(t)
	run, err := processes.ClickRunTrainingJob(collectortest.RepoRoot(t), inc.pageURL+"&plugin=seed", filepath.Join(t.TempDir(), "page.png"), "resnet50")
	require.NoError(t, err)
	require.Empty(t, run.Error)
	legacy, ok := legacyid.Default.Map(run.XTraceID)
	require.True(t, ok)
	legacyTrace := hex.EncodeToString(legacy.TraceID[:])
	require.NotEqual(t, run.TraceID, legacyTrace, "a random UUID, not the page's trace")

	testutil.Eventually(t, 90*time.Second, func() error {
		backend, err := inc.jaeger.Trace(legacyTrace)
		if err != nil {
			return err
		}
		services := map[string]bool{}
		for _, s := range backend {
			services[s.Service] = true
		}
		if !services["azure-function-api"] || !services["ml-worker"] {
			return fmt.Errorf("the backend's trace has %v", services)
		}
		if services["nuxt-ui"] {
			return errors.New("the page's span is in the backend's trace")
		}
		page, err := inc.jaeger.Trace(run.TraceID)
		if err != nil {
			return err
		}
		for _, s := range page {
			if s.Service != "nuxt-ui" {
				return fmt.Errorf("a %s span in the page's trace", s.Service)
			}
			if s.OperationName == "click Run training job" {
				if links := s.LinkedTraces(); len(links) != 1 || links[0] != legacyTrace {
					return fmt.Errorf("the click links to %v, want the backend's trace %s", links, legacyTrace)
				}
				return nil
			}
		}
		return errors.New("no click span in the page's trace yet")
	})
}
