// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

// StartSidecar starts bin with configs/sidecar.yaml on free loopback ports; env sets the rest
// (SIDECAR_LOG_PATHS, GATEWAY_ENDPOINTS, OTELCOL_MLOPS_DATA_DIR, ...).
func StartSidecar(root, bin string, env map[string]string) (*Sidecar, error) {
	return StartSidecarConfig(root, bin, "", env)
}

// StartSidecarConfig is StartSidecar with another configuration file in place of
// configs/sidecar.yaml (one that takes the same variables); "" is the shipped one.
func StartSidecarConfig(root, bin, config string, env map[string]string) (*Sidecar, error) {
	p, vars, err := startCollector(root, bin, collectorPorts{
		name:      "sidecar",
		config:    config,
		endpoints: []string{"SIDECAR_OTLP_GRPC_ENDPOINT", "SIDECAR_OTLP_HTTP_ENDPOINT", "SIDECAR_HEALTH_ENDPOINT", "SIDECAR_BACKEND_CHECK_ENDPOINT"},
		telemetry: "SIDECAR_TELEMETRY_PORT",
		health:    "SIDECAR_HEALTH_ENDPOINT",
	}, env)
	if err != nil {
		return nil, err
	}
	return &Sidecar{Process: p, HealthURL: "http://" + vars["SIDECAR_HEALTH_ENDPOINT"] + "/", OTLPGRPC: vars["SIDECAR_OTLP_GRPC_ENDPOINT"],
		TelemetryURL: "http://127.0.0.1:" + vars["SIDECAR_TELEMETRY_PORT"] + "/metrics", BackendCheckURL: "http://" + vars["SIDECAR_BACKEND_CHECK_ENDPOINT"] + "/"}, nil
}

// Sidecar is a running otelcol-mlops with configs/sidecar.yaml.
type Sidecar struct {
	*Process
	HealthURL string
	OTLPGRPC  string
	// TelemetryURL is the collector's own metrics (otelcol_*).
	TelemetryURL string
	// BackendCheckURL is backend_check's status page.
	BackendCheckURL string
}
