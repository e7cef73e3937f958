// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/featuregate"
)

// The gates the distribution's guarantees depend on are registered by its components and on.
func TestDefaultFeatureGatesAreOn(t *testing.T) {
	enableDefaultFeatureGates()
	on := map[string]bool{}
	featuregate.GlobalRegistry().VisitAll(func(g *featuregate.Gate) { on[g.ID()] = g.IsEnabled() })
	for _, id := range defaultFeatureGates {
		enabled, registered := on[id]
		assert.True(t, registered, "%s is not registered by any component of this build", id)
		assert.True(t, enabled, id)
	}
}
