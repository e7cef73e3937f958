// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// What to do with a message whose telemetry the pipeline refused permanently, or whose
// payload could not be decoded.
const (
	ActionNack = "nack" // Pub/Sub redelivers; a dead-letter policy ends the loop
	ActionAck  = "ack"  // acked and counted: the message is gone
	ActionKeep = "keep" // decode errors only: forward the raw payload, tagged
)

// Payload formats of a subscription.
const (
	PayloadJSON = "json"
	PayloadText = "text"
	// PayloadCloudLogging is a Log Router sink's topic: one Cloud Logging LogEntry (JSON) per
	// message, decoded into one log record and no receive span.
	PayloadCloudLogging = "cloud_logging"
)

// Config is the pubsub_trace receiver's configuration.
type Config struct {
	// Project is the Google Cloud project of the subscriptions.
	Project string `mapstructure:"project"`
	// Endpoint overrides the Pub/Sub endpoint (PUBSUB_EMULATOR_HOST also works).
	Endpoint string `mapstructure:"endpoint"`
	// Insecure talks plaintext gRPC without credentials to Endpoint (emulators, pstest).
	Insecure bool `mapstructure:"insecure"`
	// CredentialsFile is a service-account key file; empty uses Application Default Credentials.
	CredentialsFile string `mapstructure:"credentials_file"`

	Subscriptions []SubscriptionConfig `mapstructure:"subscriptions"`
	// ServiceName is the service.name of the resource the receive spans belong to.
	ServiceName  string             `mapstructure:"service_name"`
	Attributes   AttributesConfig   `mapstructure:"attributes"`
	TraceContext TraceContextConfig `mapstructure:"trace_context"`
	FlowControl  FlowControlConfig  `mapstructure:"flow_control"`
	// OnPermanentError is nack (default) or ack for messages the pipeline refused permanently.
	OnPermanentError string `mapstructure:"on_permanent_error"`
	// OnDecodeError is nack (default), ack or keep for log payloads that are not valid JSON
	// while declared JSON (payload_format: json).
	OnDecodeError string `mapstructure:"on_decode_error"`
	// DrainTimeout bounds how long Shutdown lets in-flight messages finish and their acks and
	// nacks reach Pub/Sub; what is not acked by then is redelivered (at-least-once holds).
	DrainTimeout time.Duration `mapstructure:"drain_timeout"`

	_ struct{}
}

// SubscriptionConfig is one subscription to pull from.
type SubscriptionConfig struct {
	// Name is the subscription ID or its full projects/<p>/subscriptions/<s> name.
	Name string `mapstructure:"name"`
	// Topic names the topic for messaging.destination.name when the receiver may not read the
	// subscription's configuration; otherwise it is looked up.
	Topic string `mapstructure:"topic"`
	// DeadLetter marks a subscription on a dead-letter topic: its spans have error status.
	DeadLetter bool `mapstructure:"dead_letter"`
	// Logs also emits each message's payload as a log record.
	Logs bool `mapstructure:"logs"`
	// PayloadFormat is json (parse into a map body; failures follow on_decode_error), text, or
	// cloud_logging (a Log Router sink's LogEntry: logs only, no receive span).
	PayloadFormat string `mapstructure:"payload_format"`
	// PublisherService names the service that publishes to this subscription's topic without
	// OTel (a legacy ID only). Its receive spans then get that service's legacy_spans span as
	// parent, so the trace reads publisher → queue → consumer.
	PublisherService string `mapstructure:"publisher_service"`
}

// AttributesConfig governs which message attributes are copied onto spans and logs.
type AttributesConfig struct {
	// Prefix is put in front of copied attribute keys.
	Prefix string `mapstructure:"prefix"`
	// Include, when not empty, lists the only keys copied; Exclude lists keys never copied.
	Include []string `mapstructure:"include"`
	Exclude []string `mapstructure:"exclude"`
	// MaxCount caps the number of attributes copied; MaxValueLength the bytes of each value.
	MaxCount       int `mapstructure:"max_count"`
	MaxValueLength int `mapstructure:"max_value_length"`
}

// TraceContextConfig governs where trace context is read from: googclient_traceparent and
// traceparent first, then the keys of the mapping settings the trace_id_bridge processor and
// the xtraceid propagator share (pkg/legacyid; namespace and no_id_values must match theirs).
type TraceContextConfig struct {
	legacyid.Settings `mapstructure:",squash"`
}

// FlowControlConfig bounds what is outstanding (received, not yet acked) per subscription.
type FlowControlConfig struct {
	MaxOutstandingMessages int `mapstructure:"max_outstanding_messages"`
	MaxOutstandingBytes    int `mapstructure:"max_outstanding_bytes"`
	// NumGoroutines is the number of streaming pulls per subscription.
	NumGoroutines int `mapstructure:"num_goroutines"`
}

func createDefaultConfig() *Config {
	return &Config{
		ServiceName: "gcp-pubsub",
		Attributes: AttributesConfig{
			Prefix:         "messaging.gcp_pubsub.message.attribute.",
			MaxCount:       64,
			MaxValueLength: 1024,
		},
		TraceContext:     TraceContextConfig{Settings: legacyid.DefaultSettings()},
		FlowControl:      FlowControlConfig{MaxOutstandingMessages: 1000, MaxOutstandingBytes: 100 << 20, NumGoroutines: 1},
		OnPermanentError: ActionNack,
		OnDecodeError:    ActionNack,
		DrainTimeout:     10 * time.Second,
	}
}

// Validate checks the configuration at start-up.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.Project == "" {
		errs = append(errs, errors.New("project: must not be empty"))
	}
	if len(cfg.Subscriptions) == 0 {
		errs = append(errs, errors.New("subscriptions: at least one subscription is required"))
	}
	seen := map[string]bool{}
	for i, s := range cfg.Subscriptions {
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("subscriptions[%d].name: must not be empty", i))
		}
		if strings.HasPrefix(s.Name, "projects/") && !strings.HasPrefix(s.Name, "projects/"+cfg.Project+"/subscriptions/") {
			errs = append(errs, fmt.Errorf("subscriptions[%d].name: %q is not in project %q", i, s.Name, cfg.Project))
		}
		// The short and the full name of one subscription are the same subscription.
		if seen[subscriptionID(s.Name)] {
			errs = append(errs, fmt.Errorf("subscriptions[%d].name: %q is listed twice", i, s.Name))
		}
		seen[subscriptionID(s.Name)] = true
		switch s.PayloadFormat {
		case "", PayloadJSON, PayloadText:
		case PayloadCloudLogging:
			if s.PublisherService != "" || s.DeadLetter {
				errs = append(errs, fmt.Errorf("subscriptions[%d]: publisher_service and dead_letter shape receive spans, which a %s subscription does not make", i, PayloadCloudLogging))
			}
		default:
			errs = append(errs, fmt.Errorf("subscriptions[%d].payload_format: %q is not json, text or cloud_logging", i, s.PayloadFormat))
		}
	}
	if cfg.Insecure && cfg.Endpoint == "" {
		errs = append(errs, errors.New("insecure: needs an endpoint (or use PUBSUB_EMULATOR_HOST)"))
	}
	if cfg.OnPermanentError != ActionNack && cfg.OnPermanentError != ActionAck {
		errs = append(errs, fmt.Errorf("on_permanent_error: %q is not nack or ack", cfg.OnPermanentError))
	}
	switch cfg.OnDecodeError {
	case ActionNack, ActionAck, ActionKeep:
	default:
		errs = append(errs, fmt.Errorf("on_decode_error: %q is not nack, ack or keep", cfg.OnDecodeError))
	}
	if cfg.FlowControl.MaxOutstandingMessages < 1 || cfg.FlowControl.MaxOutstandingBytes < 1 || cfg.FlowControl.NumGoroutines < 1 {
		errs = append(errs, errors.New("flow_control: max_outstanding_messages, max_outstanding_bytes and num_goroutines must be at least 1"))
	}
	if cfg.DrainTimeout <= 0 {
		errs = append(errs, errors.New("drain_timeout: must be positive"))
	}
	if cfg.Attributes.MaxCount < 0 || cfg.Attributes.MaxValueLength < 1 {
		errs = append(errs, errors.New("attributes: max_count must not be negative and max_value_length must be at least 1"))
	}
	return errors.Join(errs...)
}

// subscriptionID returns the short ID of a subscription name.
func subscriptionID(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}
