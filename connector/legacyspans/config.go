// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// Config is the legacy_spans connector's configuration.
type Config struct {
	// Bridged selects records the trace_id_bridge bridged from a legacy ID (legacy.trace_id).
	Bridged bool `mapstructure:"bridged"`
	// Services selects records of these service.name values as well.
	Services []string `mapstructure:"services"`
	// SpanName names the spans; {service} is replaced by the service name.
	SpanName string `mapstructure:"span_name"`
	// IdleTimeout closes a group that received no log for this long.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// MaxDuration closes a group this long after it opened, however busy.
	MaxDuration time.Duration `mapstructure:"max_duration"`
	// MaxOpenGroups bounds the state; when full, the oldest group is closed first.
	MaxOpenGroups int `mapstructure:"max_open_groups"`
	// MaxEvents caps the log messages kept as span events per span.
	MaxEvents int `mapstructure:"max_events"`
	// MaxEventLength caps each event's message, in bytes.
	MaxEventLength int `mapstructure:"max_event_length"`
	// Hops make one service's span the parent of another's in the same trace.
	Hops []Hop `mapstructure:"hops"`

	_ struct{}
}

// Hop says that calls flow into the "to" service: its synthesised span gets as parent either
// the "from" service's synthesised span or, with from_subscription, the pubsub_trace receive
// span of the trace's first message on that subscription (both by derived span ID).
type Hop struct {
	From             string `mapstructure:"from"`
	FromSubscription string `mapstructure:"from_subscription"`
	To               string `mapstructure:"to"`
}

func (h Hop) source() string {
	if h.FromSubscription != "" {
		return "from_subscription " + h.FromSubscription
	}
	return "from " + h.From
}

// parentName is the name the parent's span ID is derived from (legacyid.DeriveSpanID).
func (h Hop) parentName() string {
	if h.FromSubscription != "" {
		return legacyid.ReceiveSpanName(h.FromSubscription)
	}
	return h.From
}

func createDefaultConfig() *Config {
	return &Config{
		Bridged:        true,
		SpanName:       "{service}",
		IdleTimeout:    5 * time.Second,
		MaxDuration:    5 * time.Minute,
		MaxOpenGroups:  10000,
		MaxEvents:      32,
		MaxEventLength: 1024,
	}
}

// Validate checks the configuration at start-up.
func (cfg *Config) Validate() error {
	var errs []error
	if !cfg.Bridged && len(cfg.Services) == 0 {
		errs = append(errs, errors.New("nothing selected: set bridged: true or list services"))
	}
	if cfg.SpanName == "" {
		errs = append(errs, errors.New("span_name: must not be empty"))
	}
	if cfg.IdleTimeout <= 0 || cfg.MaxDuration <= 0 {
		errs = append(errs, errors.New("idle_timeout and max_duration: must be positive"))
	} else if cfg.IdleTimeout > cfg.MaxDuration {
		errs = append(errs, fmt.Errorf("idle_timeout %s is longer than max_duration %s", cfg.IdleTimeout, cfg.MaxDuration))
	}
	if cfg.MaxOpenGroups < 1 {
		errs = append(errs, errors.New("max_open_groups: must be at least 1"))
	}
	if cfg.MaxEvents < 0 || cfg.MaxEventLength < 1 {
		errs = append(errs, errors.New("max_events must not be negative and max_event_length must be at least 1"))
	}
	parentOf := map[string]Hop{}
	for i, h := range cfg.Hops {
		switch {
		case h.To == "":
			errs = append(errs, fmt.Errorf("hops[%d]: to must name a service", i))
			continue
		case (h.From == "") == (h.FromSubscription == ""):
			errs = append(errs, fmt.Errorf("hops[%d]: set exactly one of from (a service) and from_subscription (a pubsub_trace subscription ID)", i))
			continue
		case h.From == h.To:
			errs = append(errs, fmt.Errorf("hops[%d]: from and to must be two different services", i))
			continue
		}
		if p, dup := parentOf[h.To]; dup && p != h {
			errs = append(errs, fmt.Errorf("hops[%d]: %s already has a parent (%s); a span has one parent", i, h.To, p.source()))
		}
		parentOf[h.To] = h
	}
	return errors.Join(errs...)
}
