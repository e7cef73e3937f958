// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyid

// Rule names the form of the mapping spec that produced a result (docs/trace-id-mapping.md).
type Rule uint8

// The rules, in the order the spec tries them. RuleNone means the value carried no ID.
const (
	RuleNone Rule = iota
	RuleTraceparent
	RuleUUID
	RuleHex128
	RuleHex64
	RuleXRay
	RuleCloudTrace
	RuleJaeger
	RuleB3
	RuleHash
	ruleCount
)

var ruleNames = [ruleCount]string{
	RuleNone:        "none",
	RuleTraceparent: "traceparent",
	RuleUUID:        "uuid",
	RuleHex128:      "hex128",
	RuleHex64:       "hex64",
	RuleXRay:        "xray",
	RuleCloudTrace:  "cloud_trace",
	RuleJaeger:      "jaeger",
	RuleB3:          "b3",
	RuleHash:        "hash",
}

// String returns the rule's name as the spec and the legacy.trace_id.format attribute spell it.
func (r Rule) String() string {
	if r >= ruleCount {
		return "unknown"
	}
	return ruleNames[r]
}

// Rules lists every rule that yields an ID, in spec order; handy for per-rule telemetry.
func Rules() []Rule {
	return []Rule{RuleTraceparent, RuleUUID, RuleHex128, RuleHex64, RuleXRay, RuleCloudTrace, RuleJaeger, RuleB3, RuleHash}
}
