// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"errors"
	"fmt"
	"net"
	"time"

	"go.opentelemetry.io/collector/config/configtls"
)

// Config is the beats receiver's configuration.
type Config struct {
	// Endpoint to listen on (host:port); Logstash's beats input listens on 5044.
	Endpoint string `mapstructure:"endpoint"`
	// TLS as Logstash's beats input offers it; client_ca_file requires client certificates.
	TLS *configtls.ServerConfig `mapstructure:"tls"`
	// MaxWindowSize is the most events a client may announce in one window.
	MaxWindowSize int `mapstructure:"max_window_size"`
	// MaxEventSize is the largest event, in bytes of JSON.
	MaxEventSize int `mapstructure:"max_event_size"`
	// MaxDecompressedSize bounds what one window's compressed frames may decompress to.
	MaxDecompressedSize int64 `mapstructure:"max_decompressed_size"`
	// Keepalive is how often the client is told a window is still being processed.
	Keepalive time.Duration `mapstructure:"keepalive"`
	// ReadTimeout bounds the time to read a window once it was announced.
	ReadTimeout time.Duration `mapstructure:"read_timeout"`
	_           struct{}
}

func createDefaultConfig() *Config {
	return &Config{
		Endpoint:            "127.0.0.1:5044",
		MaxWindowSize:       16384,
		MaxEventSize:        16 << 20,
		MaxDecompressedSize: 256 << 20,
		Keepalive:           3 * time.Second,
		ReadTimeout:         30 * time.Second,
	}
}

// Validate refuses settings that would accept nothing or bound nothing.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Endpoint); err != nil {
		errs = append(errs, fmt.Errorf("endpoint: %w", err))
	}
	if c.MaxWindowSize <= 0 {
		errs = append(errs, errors.New("max_window_size: must be positive"))
	}
	if c.MaxEventSize <= 0 {
		errs = append(errs, errors.New("max_event_size: must be positive"))
	}
	if c.MaxDecompressedSize < int64(c.MaxEventSize) {
		errs = append(errs, fmt.Errorf("max_decompressed_size: must be at least max_event_size (%d)", c.MaxEventSize))
	}
	if c.Keepalive <= 0 {
		errs = append(errs, errors.New("keepalive: must be positive (Beats close a connection that is silent for their timeout)"))
	}
	if c.ReadTimeout <= 0 {
		errs = append(errs, errors.New("read_timeout: must be positive"))
	}
	return errors.Join(errs...)
}
