// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Temporalities.
const (
	Cumulative = "cumulative"
	Delta      = "delta"
)

// Dimension is one attribute of every inference series: its name and the contract field (or,
// for service and environment, the resource attribute) it is read from.
type Dimension struct {
	Name  string `mapstructure:"name"`
	Field string `mapstructure:"field"`
	// ResourceAttribute is read when the record has no Field.
	ResourceAttribute string `mapstructure:"resource_attribute"`
}

// Config is the ml_metrics connector's configuration.
type Config struct {
	Dimensions []Dimension `mapstructure:"dimensions"`
	// MaxSeries bounds the inference series; records beyond go to one overflow series.
	MaxSeries int `mapstructure:"max_series"`
	// LatencyBucketsMS and ConfidenceBuckets are explicit histogram bounds.
	LatencyBucketsMS  []float64 `mapstructure:"latency_buckets_ms"`
	ConfidenceBuckets []float64 `mapstructure:"confidence_buckets"`
	// ExponentialLatency emits the latency as an exponential histogram of this scale instead.
	ExponentialLatency ExponentialConfig `mapstructure:"exponential_latency"`
	Temporality        string            `mapstructure:"temporality"`
	FlushInterval      time.Duration     `mapstructure:"flush_interval"`

	_ struct{}
}

// ExponentialConfig selects an exponential latency histogram.
type ExponentialConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Scale fixes the resolution: bucket boundaries are powers of 2^(2^-scale).
	Scale int32 `mapstructure:"scale"`
	// MaxBuckets bounds the buckets; latencies beyond the range land in the last one.
	MaxBuckets int `mapstructure:"max_buckets"`
}

// DefaultDimensions are model name, version, serving variant, service and environment.
func DefaultDimensions() []Dimension {
	return []Dimension{
		{Name: "model.name", Field: schema.FieldModelName},
		{Name: "model.version", Field: schema.FieldModelVersion},
		{Name: "model.serving_variant", Field: schema.FieldServingVariant},
		{Name: "service.name", Field: schema.FieldService, ResourceAttribute: "service.name"},
		{Name: "deployment.environment", Field: schema.FieldEnvironment, ResourceAttribute: "deployment.environment.name"},
	}
}

func createDefaultConfig() *Config {
	return &Config{
		Dimensions:         DefaultDimensions(),
		MaxSeries:          2000,
		LatencyBucketsMS:   []float64{5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000},
		ConfidenceBuckets:  []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95},
		ExponentialLatency: ExponentialConfig{Scale: 3, MaxBuckets: 160},
		Temporality:        Cumulative,
		FlushInterval:      15 * time.Second,
	}
}

// Validate checks the configuration at start-up.
func (cfg *Config) Validate() error {
	var errs []error
	if len(cfg.Dimensions) == 0 {
		errs = append(errs, errors.New("dimensions: at least one is required"))
	}
	names := map[string]bool{}
	for i, d := range cfg.Dimensions {
		if d.Name == "" || (d.Field == "" && d.ResourceAttribute == "") {
			errs = append(errs, fmt.Errorf("dimensions[%d]: needs a name and a field or resource_attribute", i))
		}
		if names[d.Name] {
			errs = append(errs, fmt.Errorf("dimensions[%d]: %q appears twice", i, d.Name))
		}
		names[d.Name] = true
	}
	if cfg.MaxSeries < 1 {
		errs = append(errs, errors.New("max_series: must be at least 1"))
	}
	for name, b := range map[string][]float64{"latency_buckets_ms": cfg.LatencyBucketsMS, "confidence_buckets": cfg.ConfidenceBuckets} {
		if len(b) == 0 || !slices.IsSorted(b) || slices.Compact(slices.Clone(b)) == nil || len(slices.Compact(slices.Clone(b))) != len(b) {
			errs = append(errs, fmt.Errorf("%s: must be a non-empty, strictly increasing list", name))
		}
	}
	if e := cfg.ExponentialLatency; e.Enabled && (e.Scale < -10 || e.Scale > 20 || e.MaxBuckets < 1) {
		errs = append(errs, errors.New("exponential_latency: scale must be within [-10, 20] and max_buckets at least 1"))
	}
	if cfg.Temporality != Cumulative && cfg.Temporality != Delta {
		errs = append(errs, fmt.Errorf("temporality: %q is not cumulative or delta", cfg.Temporality))
	}
	if cfg.FlushInterval <= 0 {
		errs = append(errs, errors.New("flush_interval: must be positive"))
	}
	return errors.Join(errs...)
}
