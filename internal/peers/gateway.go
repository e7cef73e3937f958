package peers

import (
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// Gateway is a running otelcol-mlops with configs/gateway.yaml.
type Gateway struct {
	*Process
	OTLPGRPC      string
	PrometheusURL string
	HealthURL     string
}

// StartGateway starts bin with configs/gateway.yaml on free loopback ports; env sets the
// rest (ES_ENDPOINT, JAEGER_OTLP_ENDPOINT, PUBSUB_*, OTELCOL_MLOPS_DATA_DIR, ...).
func StartGateway(root, bin string, env map[string]string) (*Gateway, error) {
	ports := map[string]string{}
	for _, k := range []string{"GATEWAY_OTLP_GRPC_ENDPOINT", "GATEWAY_OTLP_HTTP_ENDPOINT", "GATEWAY_HEALTH_ENDPOINT", "GATEWAY_PROMETHEUS_ENDPOINT", "telemetry"} {
		addr, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		ports[k] = addr
	}
	_, telemetryPort, _ := net.SplitHostPort(ports["telemetry"])
	vars := map[string]string{"GATEWAY_TELEMETRY_PORT": telemetryPort}
	for k, v := range ports {
		if k != "telemetry" {
			vars[k] = v
		}
	}
	for k, v := range env {
		vars[k] = v
	}
	list := envList(vars)
	p, err := StartProcess(root, list, bin, "--config", filepath.Join(root, "configs", "gateway.yaml"))
	if err != nil {
		return nil, err
	}
	g := &Gateway{Process: p, OTLPGRPC: vars["GATEWAY_OTLP_GRPC_ENDPOINT"],
		PrometheusURL: "http://" + vars["GATEWAY_PROMETHEUS_ENDPOINT"] + "/metrics", HealthURL: "http://" + vars["GATEWAY_HEALTH_ENDPOINT"] + "/"}
	if err := p.WaitHTTP(g.HealthURL, 60*time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("gateway: %w\n%s", err, p.Output())
	}
	return g, nil
}
