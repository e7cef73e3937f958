// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyid

// The attributes a legacy ID travels under once it is mapped: every component that writes or
// reads them (the bridge, the Pub/Sub receiver, the span connector, the ECS shaping) uses
// these names.
const (
	// AttrTraceID keeps the legacy ID exactly as found.
	AttrTraceID = "legacy.trace_id"
	// AttrFormat names the rule that mapped it (uuid, hash, traceparent, ...; Rule.String).
	AttrFormat = "legacy.trace_id.format"
	// AttrMappedTraceID holds the mapped trace ID when the record kept a different one.
	AttrMappedTraceID = "legacy.trace_id.mapped"
)
