// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

// Gateway is a running otelcol-mlops with configs/gateway.yaml.
type Gateway struct {
	*Process
	OTLPGRPC string
	OTLPHTTP string // host:port of the OTLP/HTTP receiver
	// BrowserOTLP is the web pages' OTLP/HTTP endpoint (configs/gateway-browser.yaml).
	BrowserOTLP   string
	PrometheusURL string
	HealthURL     string
	// TelemetryURL is the collector's own metrics (otelcol_*).
	TelemetryURL string
	// BackendCheckURL is backend_check's status page.
	BackendCheckURL string
	// Beats and JSONLines are where configs/gateway-logstash.yaml listens, when it is an overlay.
	Beats, JSONLines string
}

// StartGateway starts bin with configs/gateway.yaml (and overlays, config files merged over
// it) on free loopback ports; env sets the rest (ES_ENDPOINT, JAEGER_OTLP_ENDPOINT, PUBSUB_*,
// OTELCOL_MLOPS_DATA_DIR, ...).
func StartGateway(root, bin string, env map[string]string, overlays ...string) (*Gateway, error) {
	return StartGatewayConfig(root, bin, "", env, overlays...)
}

// StartGatewayConfig is StartGateway with another configuration file in place of
// configs/gateway.yaml (one that takes the same variables); "" is the shipped one.
func StartGatewayConfig(root, bin, config string, env map[string]string, overlays ...string) (*Gateway, error) {
	p, vars, err := startCollector(root, bin, collectorPorts{
		name:   "gateway",
		config: config,
		endpoints: []string{"GATEWAY_OTLP_GRPC_ENDPOINT", "GATEWAY_OTLP_HTTP_ENDPOINT", "GATEWAY_HEALTH_ENDPOINT", "GATEWAY_PROMETHEUS_ENDPOINT", "GATEWAY_BACKEND_CHECK_ENDPOINT",
			"GATEWAY_BEATS_ENDPOINT", "GATEWAY_JSON_LINES_ENDPOINT", "GATEWAY_BROWSER_OTLP_ENDPOINT"},
		telemetry: "GATEWAY_TELEMETRY_PORT",
		health:    "GATEWAY_HEALTH_ENDPOINT",
		overlays:  overlays,
		// alone, a gateway is its only peer (plaintext, as its receiver)
		defaults: []portDefault{{name: "GATEWAY_PEERS", endpoint: "GATEWAY_OTLP_GRPC_ENDPOINT", list: true}},
	}, withDefault(env, "GATEWAY_INSECURE", "true"))
	if err != nil {
		return nil, err
	}
	return &Gateway{Process: p, OTLPGRPC: vars["GATEWAY_OTLP_GRPC_ENDPOINT"], OTLPHTTP: vars["GATEWAY_OTLP_HTTP_ENDPOINT"],
		PrometheusURL: "http://" + vars["GATEWAY_PROMETHEUS_ENDPOINT"] + "/metrics", HealthURL: "http://" + vars["GATEWAY_HEALTH_ENDPOINT"] + "/",
		TelemetryURL: "http://127.0.0.1:" + vars["GATEWAY_TELEMETRY_PORT"] + "/metrics", BackendCheckURL: "http://" + vars["GATEWAY_BACKEND_CHECK_ENDPOINT"] + "/",
		Beats: vars["GATEWAY_BEATS_ENDPOINT"], JSONLines: vars["GATEWAY_JSON_LINES_ENDPOINT"], BrowserOTLP: vars["GATEWAY_BROWSER_OTLP_ENDPOINT"]}, nil
}

func withDefault(env map[string]string, name, value string) map[string]string {
	out := map[string]string{name: value}
	for k, v := range env {
		out[k] = v
	}
	return out
}
