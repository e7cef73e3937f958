// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// collectorPorts names, for one of configs/*.yaml, the environment variables that take a
// loopback host:port, the one that takes the telemetry port number alone, and the one whose
// endpoint answers health checks.
type collectorPorts struct {
	name      string // configs/<name>.yaml
	endpoints []string
	telemetry string
	health    string
	// config replaces configs/<name>.yaml when set (a path)
	config string
	// overlays are configs merged over configs/<name>.yaml (--config after --config)
	overlays []string
	// defaults are variables set from the chosen ports unless env sets them: the name of the
	// variable, and that of the endpoint whose address it takes (as a one-element YAML list
	// when list is true).
	defaults []portDefault
}

type portDefault struct {
	name, endpoint string
	list           bool
}

// startAttempts bounds the retries on ports taken between FreeAddr and the collector's bind.
const startAttempts = 3

// startCollector starts bin with configs/<ports.name>.yaml on fresh loopback ports, env set
// over them, and waits until it is healthy. It returns the process and the variables it ran
// with. A port FreeAddr handed out can be taken by another process before the collector binds
// it (go test runs packages in parallel); such a start is retried on new ports.
func startCollector(root, bin string, ports collectorPorts, env map[string]string) (*Process, map[string]string, error) {
	var lastErr error
	for range startAttempts {
		vars, err := freePorts(ports)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range ports.defaults {
			if d.list {
				vars[d.name] = "[" + vars[d.endpoint] + "]"
			} else {
				vars[d.name] = vars[d.endpoint]
			}
		}
		for k, v := range env {
			vars[k] = v
		}
		config := ports.config
		if config == "" {
			config = filepath.Join(root, "configs", ports.name+".yaml")
		}
		args := []string{"--config", config}
		for _, o := range ports.overlays {
			args = append(args, "--config", o)
		}
		p, err := StartProcess(root, envList(vars), bin, args...)
		if err != nil {
			return nil, nil, err
		}
		err = p.WaitHTTP("http://"+vars[ports.health]+"/", 60*time.Second)
		if err == nil {
			return p, vars, nil
		}
		p.Kill()
		lastErr = fmt.Errorf("%s: %w\n%s", ports.name, err, p.Output())
		if !errors.Is(err, ErrPortTaken) {
			break
		}
	}
	return nil, nil, lastErr
}

func freePorts(ports collectorPorts) (map[string]string, error) {
	vars := map[string]string{}
	for _, k := range append(ports.endpoints, ports.telemetry) {
		addr, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		vars[k] = addr
	}
	_, port, _ := net.SplitHostPort(vars[ports.telemetry])
	vars[ports.telemetry] = port
	return vars, nil
}
