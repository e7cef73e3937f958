package peers

import (
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// StartSidecar starts bin with configs/sidecar.yaml on free loopback ports; env sets the rest
// (SIDECAR_LOG_PATHS, GATEWAY_ENDPOINTS, OTELCOL_MLOPS_DATA_DIR, ...).
func StartSidecar(root, bin string, env map[string]string) (*Sidecar, error) {
	vars := map[string]string{}
	for _, k := range []string{"SIDECAR_OTLP_GRPC_ENDPOINT", "SIDECAR_OTLP_HTTP_ENDPOINT", "SIDECAR_HEALTH_ENDPOINT", "telemetry"} {
		addr, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		vars[k] = addr
	}
	_, port, _ := net.SplitHostPort(vars["telemetry"])
	delete(vars, "telemetry")
	vars["SIDECAR_TELEMETRY_PORT"] = port
	for k, v := range env {
		vars[k] = v
	}
	list := envList(vars)
	p, err := StartProcess(root, list, bin, "--config", filepath.Join(root, "configs", "sidecar.yaml"))
	if err != nil {
		return nil, err
	}
	sc := &Sidecar{Process: p, HealthURL: "http://" + vars["SIDECAR_HEALTH_ENDPOINT"] + "/"}
	if err := p.WaitHTTP(sc.HealthURL, 60*time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("sidecar: %w\n%s", err, p.Output())
	}
	return sc, nil
}

// Sidecar is a running otelcol-mlops with configs/sidecar.yaml.
type Sidecar struct {
	*Process
	HealthURL string
}
