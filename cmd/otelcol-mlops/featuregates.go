// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

// This file is ours, not ocb's.

import "go.opentelemetry.io/collector/featuregate"

// defaultFeatureGates are alpha gates the distribution turns on because its guarantees depend
// on them; --feature-gates=-<id> still turns one off.
//
// stanza.synchronousLogEmitter: without it, filelog hands lines to the pipeline in batches
// from a buffer (up to 100 lines, every 100 ms) while it saves its file offsets independently,
// so a SIGKILL can lose the buffered lines: offsets saved past lines the persistent queue never
// got (83 lines of 3 000 in one run of TestSidecarSIGKILLWhileGatewayDown). With it, a line is
// in the pipeline — for the agent, in its persistent queue — before its offset is saved.
var defaultFeatureGates = []string{"stanza.synchronousLogEmitter"}

func enableDefaultFeatureGates() {
	for _, id := range defaultFeatureGates {
		// The gates are registered by the components' packages; an unknown ID is a build of
		// this distribution without them, where there is nothing to turn on.
		_ = featuregate.GlobalRegistry().Set(id, true)
	}
}
