// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

import (
	"errors"
	"fmt"
	"strings"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// Document ID modes.
const (
	// DocumentIDAll gives every record a deterministic _id: file lines from their file
	// coordinates, other records from their content.
	DocumentIDAll = "all"
	// DocumentIDFiles gives one only to lines read from files (log.file.record_number, or
	// Filebeat's log.offset).
	DocumentIDFiles = "files"
	// DocumentIDNone leaves IDs to Elasticsearch.
	DocumentIDNone = "none"
)

// Config is the ecs_shape processor's configuration.
type Config struct {
	// Namespace is the data_stream.namespace of every record.
	Namespace string `mapstructure:"namespace"`
	// DocumentID sets elasticsearch.document_id (the exporter's logs_dynamic_id): all, files
	// or none.
	DocumentID string `mapstructure:"document_id"`
	// LegacyIDKeys are the fields a legacy correlation ID may arrive in; one that holds the
	// same string as legacy.trace_id (what trace_id_bridge kept) is not indexed twice.
	LegacyIDKeys []string `mapstructure:"legacy_id_keys"`
	// Summary writes a one-line message (event type, model, version, latency, outcome) for
	// ML records that have none, so Discover's message column says something.
	Summary bool `mapstructure:"summary"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func createDefaultConfig() *Config {
	return &Config{
		Namespace:    "default",
		DocumentID:   DocumentIDAll,
		LegacyIDKeys: append([]string(nil), legacyid.DefaultKeys...),
		Summary:      true,
	}
}

// Validate checks the namespace against Elasticsearch's data stream naming rules and the
// document ID mode.
func (cfg *Config) Validate() error {
	var errs []error
	switch {
	case cfg.Namespace == "":
		errs = append(errs, errors.New("namespace: must not be empty"))
	case len(cfg.Namespace) > 100:
		errs = append(errs, errors.New("namespace: at most 100 characters"))
	case cfg.Namespace != strings.ToLower(cfg.Namespace) || strings.ContainsAny(cfg.Namespace, `-\/*?"<>| ,#:`):
		errs = append(errs, fmt.Errorf("namespace: %q must be lowercase without '-', '\\', '/', '*', '?', '\"', '<', '>', '|', ' ', ',', '#' or ':' (Elasticsearch's data stream naming rules)", cfg.Namespace))
	}
	switch cfg.DocumentID {
	case DocumentIDAll, DocumentIDFiles, DocumentIDNone:
	default:
		errs = append(errs, fmt.Errorf("document_id: %q is not one of all, files, none", cfg.DocumentID))
	}
	return errors.Join(errs...)
}
