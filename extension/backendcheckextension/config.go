// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package backendcheckextension

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"time"
)

// Config is the backend_check extension's configuration.
type Config struct {
	// Backends to probe: a name (used by log lines, metrics and the status page) and the
	// addresses an exporter sends it to, as the exporter is given them: host:port, or a URL
	// (http:// and https:// default to ports 80 and 443). A map, so that an overlay config can
	// add a backend or replace one's addresses; an empty list leaves that backend unprobed.
	Backends map[string][]string `mapstructure:"backends"`
	// Interval between probe rounds.
	Interval time.Duration `mapstructure:"interval"`
	// Timeout of one connection attempt; at most Interval.
	Timeout time.Duration `mapstructure:"timeout"`
	// Endpoint of the status page (host:port, plain HTTP); empty for none.
	Endpoint string `mapstructure:"endpoint"`
	// RemindInterval repeats the warning for a backend that stays unreachable; 0 warns once.
	RemindInterval time.Duration `mapstructure:"remind_interval"`
	_              struct{}
}

func createDefaultConfig() *Config {
	return &Config{Interval: 15 * time.Second, Timeout: 5 * time.Second, RemindInterval: 5 * time.Minute}
}

// Validate refuses what would make the check say nothing or probe something else.
func (c *Config) Validate() error {
	var errs []error
	probed := 0
	for _, endpoints := range c.Backends {
		probed += len(endpoints)
	}
	if probed == 0 {
		errs = append(errs, errors.New("backends: list at least one backend's address to probe"))
	}
	if c.Interval <= 0 {
		errs = append(errs, errors.New("interval: must be positive"))
	}
	if c.Timeout <= 0 || c.Timeout > c.Interval {
		errs = append(errs, fmt.Errorf("timeout: must be positive and at most interval (%s)", c.Interval))
	}
	if c.RemindInterval < 0 {
		errs = append(errs, errors.New("remind_interval: must not be negative"))
	}
	if c.Endpoint != "" {
		if _, _, err := net.SplitHostPort(c.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("endpoint: %w", err))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Backends)) {
		for i, e := range c.Backends[name] {
			if _, err := dialAddress(e); err != nil {
				errs = append(errs, fmt.Errorf("backends::%s[%d]: %w", name, i, err))
			}
		}
	}
	return errors.Join(errs...)
}

// dialAddress turns an exporter's endpoint into the host:port a connection goes to.
func dialAddress(endpoint string) (string, error) {
	if endpoint == "" {
		return "", errors.New("must not be empty")
	}
	hostPort := endpoint
	defaultPort := ""
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" && u.Scheme != "" {
		hostPort = u.Host
		switch u.Scheme {
		case "https", "grpcs":
			defaultPort = "443"
		case "http", "grpc":
			defaultPort = "80"
		default:
			return "", fmt.Errorf("%q: scheme %q is not http or https", endpoint, u.Scheme)
		}
		if u.Port() == "" {
			return net.JoinHostPort(u.Hostname(), defaultPort), nil
		}
	}
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil || host == "" || port == "" {
		return "", fmt.Errorf("%q is neither host:port nor an http(s) URL", endpoint)
	}
	return hostPort, nil
}
