// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
)

// Config has the shape of contrib's loadbalancing exporter's, for the parts this exporter
// has, so switching between them is a rename.
type Config struct {
	TimeoutSettings exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueSettings   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	BackOffConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// QueueOnFailure sends each batch to the gateways at once and puts into sending_queue
	// only what they refuse or cannot be reached for; the queue retries it in the
	// background. A batch is answered once every record is with a gateway or in the queue,
	// so the queue's disk is written only while gateways fail. Without a queue it changes
	// nothing.
	QueueOnFailure bool `mapstructure:"queue_on_failure"`

	Protocol Protocol       `mapstructure:"protocol"`
	Resolver ResolverConfig `mapstructure:"resolver"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Protocol configures the OTLP exporter created for each endpoint. Its own queue and retries
// are turned off: each send is synchronous, so a record leaves this exporter's (persistent)
// queue only once a gateway has it.
type Protocol struct {
	OTLP otlpexporter.Config `mapstructure:"otlp"`
}

// ResolverConfig says where the endpoints come from: a static list or a DNS name (a headless
// Service) looked up periodically.
type ResolverConfig struct {
	Static configoptional.Optional[StaticResolver] `mapstructure:"static"`
	DNS    configoptional.Optional[DNSResolver]    `mapstructure:"dns"`
}

// StaticResolver is a fixed list of host:port endpoints.
type StaticResolver struct {
	Hostnames []string `mapstructure:"hostnames"`
}

// DNSResolver resolves Hostname to its A/AAAA records every Interval.
type DNSResolver struct {
	Hostname string        `mapstructure:"hostname"`
	Port     string        `mapstructure:"port"`
	Interval time.Duration `mapstructure:"interval"`
	Timeout  time.Duration `mapstructure:"timeout"`
}

func createDefaultConfig() *Config {
	otlp := otlpexporter.NewFactory().CreateDefaultConfig().(*otlpexporter.Config)
	otlp.ClientConfig.Endpoint = "placeholder:4317"
	return &Config{
		TimeoutSettings: exporterhelper.NewDefaultTimeoutConfig(),
		QueueSettings:   configoptional.Some(exporterhelper.NewDefaultQueueConfig()),
		BackOffConfig:   configretry.NewDefaultBackOffConfig(),
		Protocol:        Protocol{OTLP: *otlp},
	}
}

// Validate requires exactly one resolver, with what it needs.
func (cfg *Config) Validate() error {
	static, dns := cfg.Resolver.Static.HasValue(), cfg.Resolver.DNS.HasValue()
	switch {
	case static && dns:
		return errors.New("resolver: set one of static and dns, not both")
	case static:
		if len(cfg.Resolver.Static.Get().Hostnames) == 0 {
			return errors.New("resolver.static.hostnames: at least one endpoint is required")
		}
	case dns:
		d := cfg.Resolver.DNS.Get()
		if d.Hostname == "" {
			return errors.New("resolver.dns.hostname: must not be empty")
		}
		if d.Interval < 0 || d.Timeout < 0 {
			return fmt.Errorf("resolver.dns: interval and timeout must not be negative")
		}
	default:
		return errors.New("resolver: one of static and dns is required")
	}
	return nil
}
