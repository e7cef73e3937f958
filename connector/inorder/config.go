// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package inorder

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pipeline"
)

// Config is the in_order connector's configuration.
type Config struct {
	// Pipelines are the logs pipelines that receive from this connector, in the order they
	// get each batch. A pipeline gets a batch only once every pipeline before it accepted it.
	Pipelines []pipeline.ID `mapstructure:"pipelines"`

	_ struct{}
}

// Validate checks that the pipelines are at least two logs pipelines, each named once.
func (c *Config) Validate() error {
	if len(c.Pipelines) < 2 {
		return errors.New("pipelines: list at least two logs pipelines, in the order they get each batch")
	}
	seen := make(map[pipeline.ID]bool, len(c.Pipelines))
	for _, id := range c.Pipelines {
		if id.Signal() != pipeline.SignalLogs {
			return fmt.Errorf("pipelines: %q is not a logs pipeline", id)
		}
		if seen[id] {
			return fmt.Errorf("pipelines: %q is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}
