// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package topology starts the example incident as it runs on a cluster, on one machine: the
// legacy services write container log files under a /var/log/pods-shaped folder, a node agent
// (configs/sidecar.yaml, reading pod metadata from the paths) tails them and routes by trace
// ID to two gateways (configs/gateway.yaml with the Cloud Logging overlay); one GPU worker logs
// through a Log Router sink instead; only the instrumented model registry speaks OTLP (to the
// agent). Jaeger is real, Pub/Sub is Google's pstest, Elasticsearch is the stand-in with the
// shipped template. `make demo` and the end-to-end test run it.
package topology

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/pstest"

	"github.com/otelcol-mlops/otelcol-mlops/examples/seedstack"
	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

// Project is the Google Cloud project of the pstest topics.
const Project = "mlops-demo"

// Gateways is how many gateways the agent balances over.
const Gateways = 2

// Topology is a running incident.
type Topology struct {
	Jaeger   *processes.Jaeger
	ES       *esstandin.Server
	PubSub   *pstest.Server
	Gateways []*processes.Gateway
	Agent    *processes.Sidecar
	Stack    *seedstack.Stack
	// PodLogs is the /var/log/pods-shaped folder the services write to.
	PodLogs string
	// UIAddr is where ServeUI serves the example's training UI and API; the gateways accept the page's
	// OTLP/HTTP from its origin (CORS).
	UIAddr string
	ui     net.Listener

	client *pubsub.Client
	stops  []func() error
}

// Step reports progress (the demo prints it); nil is quiet.
type Step func(format string, args ...any)

// Start starts everything; bin is the otelcol-mlops binary, dataDir a scratch folder.
func Start(ctx context.Context, root, bin, dataDir string, step Step) (_ *Topology, err error) {
	if step == nil {
		step = func(string, ...any) {}
	}
	t := &Topology{PodLogs: filepath.Join(dataDir, "var-log-pods")}
	defer func() {
		if err != nil {
			_ = t.Stop()
		}
	}()

	step("starting Jaeger v2 (memory storage)")
	if t.Jaeger, err = processes.StartJaeger(root); err != nil {
		return nil, err
	}
	t.stops = append(t.stops, func() error { return t.Jaeger.Stop(10 * time.Second) })

	step("starting the Elasticsearch stand-in with the shipped index template (it parses every document against the template's mappings as Elasticsearch 8 does; no real Elasticsearch can run here)")
	if t.ES, err = esstandin.StartShipped("127.0.0.1:0", filepath.Join(root, "configs", "elasticsearch")); err != nil {
		return nil, err
	}
	t.stops = append(t.stops, t.ES.Close)

	step("starting Google's pstest Pub/Sub server: the jobs topic, its dead-letter topic, the taps, and a Log Router sink's topic")
	t.PubSub = pstest.NewServer()
	t.stops = append(t.stops, t.PubSub.Close)
	if t.client, err = seedstack.Dial(ctx, t.PubSub.Addr, Project); err != nil {
		return nil, err
	}
	t.stops = append(t.stops, t.client.Close)
	if err = seedstack.CreateTopology(ctx, t.client, Project); err != nil {
		return nil, err
	}

	if err = t.startGateways(root, bin, dataDir, step); err != nil {
		return nil, err
	}

	step("starting the node agent (configs/sidecar.yaml): it tails %s/*/*/*.log, reads namespace, pod and container from each path, and routes by trace ID to both gateways", t.PodLogs)
	if err = os.MkdirAll(t.PodLogs, 0o755); err != nil {
		return nil, err
	}
	gateways := make([]string, len(t.Gateways))
	for i, g := range t.Gateways {
		gateways[i] = g.OTLPGRPC
	}
	t.Agent, err = processes.StartSidecar(root, bin, map[string]string{
		"SIDECAR_LOG_PATHS":              "[" + filepath.Join(t.PodLogs, "*", "*", "*.log") + "]",
		"SIDECAR_POD_METADATA_FROM_PATH": "true",
		"GATEWAY_ENDPOINTS":              "[" + strings.Join(gateways, ", ") + "]",
		"GATEWAY_INSECURE":               "true",
		"OTELCOL_MLOPS_DATA_DIR":         filepath.Join(dataDir, "agent"),
	})
	if err != nil {
		return nil, err
	}
	t.stops = append(t.stops, func() error { return t.Agent.Stop(20 * time.Second) })

	step("running the example stack: UI → API → Pub/Sub → 2 GPU workers, writing container logs (" + seedstack.CloudLoggingWorker +
		" logs through Cloud Logging instead), plus an OTel-instrumented model registry sending OTLP to the agent")
	t.Stack, err = seedstack.Start(ctx, t.Agent.OTLPGRPC, t.client, Project, 2, seedstack.WithCloudLogging(), seedstack.WithContainerLogs(t.PodLogs))
	if err != nil {
		return nil, err
	}
	t.stops = append(t.stops, func() error { return t.Stack.Stop(context.Background()) })
	return t, nil
}

// startGateways starts the gateways on ports chosen first, so each knows its peers.
func (t *Topology) startGateways(root, bin, dataDir string, step Step) error {
	addrs := make([]string, Gateways)
	for i := range addrs {
		var err error
		if addrs[i], err = processes.FreeAddr(); err != nil {
			return err
		}
	}
	// Listening now holds the UI's port: the gateways' CORS list names its origin.
	ui, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	t.ui, t.UIAddr = ui, ui.Addr().String()
	t.stops = append(t.stops, func() error {
		if err := ui.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	})
	step("starting %d otelcol-mlops gateways (configs/gateway.yaml + gateway-pubsub-taps.yaml + gateway-cloud-logging.yaml + gateway-browser.yaml) on %s", Gateways, strings.Join(addrs, ", "))
	for i, addr := range addrs {
		g, err := processes.StartGateway(root, bin, map[string]string{
			"GATEWAY_OTLP_GRPC_ENDPOINT": addr,
			"GATEWAY_PEERS":              "[" + strings.Join(addrs, ", ") + "]",
			"OTELCOL_MLOPS_DATA_DIR":     filepath.Join(dataDir, fmt.Sprintf("gateway-%d", i)),
			"GCP_PROJECT":                Project, "PUBSUB_ENDPOINT": t.PubSub.Addr, "PUBSUB_INSECURE": "true",
			"ES_ENDPOINT": t.ES.URL(), "JAEGER_OTLP_ENDPOINT": t.Jaeger.OTLPGRPC, "JAEGER_INSECURE": "true",
			"CLOUD_LOGGING_SUBSCRIPTION": seedstack.CloudLoggingSub,
			"GATEWAY_OTLP_CORS_ORIGINS":  "[http://" + t.UIAddr + "]",
		}, filepath.Join(root, "configs", "gateway-pubsub-taps.yaml"), filepath.Join(root, "configs", "gateway-cloud-logging.yaml"),
			filepath.Join(root, "configs", "gateway-browser.yaml"))
		if err != nil {
			return err
		}
		t.Gateways = append(t.Gateways, g)
		t.stops = append(t.stops, func() error { return g.Stop(20 * time.Second) })
	}
	return nil
}

// ServeUI serves the example's training UI (the built page in pageDir) and its API on UIAddr and returns
// the page's URL, which sends its spans and logs to the first gateway's browser endpoint
// (configs/gateway-browser.yaml); that gateway hands each trace's to the gateway that owns it.
func (t *Topology) ServeUI(pageDir string) (string, error) {
	srv := &http.Server{Handler: t.Stack.APIHandler(pageDir), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(t.ui) }()
	t.stops = append(t.stops, srv.Close)
	return fmt.Sprintf("http://%s/index.html?otlp=http://%s/v1/traces", t.UIAddr, t.Gateways[0].BrowserOTLP), nil
}

// Stop stops everything, the services first.
func (t *Topology) Stop() error {
	var errs []error
	for i := len(t.stops) - 1; i >= 0; i-- {
		errs = append(errs, t.stops[i]())
	}
	t.stops = nil
	return errors.Join(errs...)
}

// Output is every collector's output, for a failure report.
func (t *Topology) Output() string {
	var b strings.Builder
	if t.Agent != nil {
		b.WriteString("--- agent\n" + t.Agent.Output())
	}
	for i, g := range t.Gateways {
		fmt.Fprintf(&b, "--- gateway %d\n%s", i, g.Output())
	}
	return b.String()
}
