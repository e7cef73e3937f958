// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package legacyid implements the otelcol-mlops legacy ID mapping, spec version 1
// (docs/trace-id-mapping.md): any correlation ID a service logs or propagates (a UUID
// X-Trace-ID, a W3C traceparent, B3, Jaeger, X-Ray, Cloud Trace, or an opaque string) becomes a
// W3C trace ID, and a span ID where the form carries one. Every component of the distribution
// and the Go propagator call this package, so the same string yields the same trace ID
// everywhere.
package legacyid

import (
	"crypto/sha256"
	"strings"
)

// SpecVersion is the version of docs/trace-id-mapping.md this package implements.
const SpecVersion = 1

// DefaultNoIDValues are the strings that mean "no ID" unless configured otherwise.
var DefaultNoIDValues = []string{"NO_TRACE_ID", "N/A", "-", "null", "none", "undefined"}

// DefaultKeys are the attribute, field and message-attribute names that carry a legacy ID, best
// first: what every component looks for unless configured otherwise.
var DefaultKeys = []string{
	"trace_id", "trace.id", "traceId", "x-trace-id", "X-Trace-ID", "http.request.header.x-trace-id",
	"traceparent", "googclient_traceparent", "correlation_id", "x-correlation-id", "request_id",
}

// Settings is the one configuration of the mapping that the trace_id_bridge processor, the
// pubsub_trace receiver and the xtraceid propagator share (the tags name its collector
// configuration keys; this package imports nothing to have them). Everything that must agree
// on a trace ID must have the same Namespace and NoIDValues.
type Settings struct {
	// Keys are where a legacy ID is looked for, in order (attributes, fields).
	Keys []string `mapstructure:"keys"`
	// Namespace is hashed in front of opaque IDs (spec rule 9), to keep tenants apart.
	Namespace string `mapstructure:"namespace"`
	// NoIDValues are the values that mean "no ID" (case-insensitive).
	NoIDValues []string `mapstructure:"no_id_values"`
}

// DefaultSettings returns the spec's defaults, with copies of the default lists.
func DefaultSettings() Settings {
	return Settings{
		Keys:       append([]string(nil), DefaultKeys...),
		NoIDValues: append([]string(nil), DefaultNoIDValues...),
	}
}

// Mapper returns the mapper of these settings.
func (s Settings) Mapper() *Mapper {
	return New(Options{Namespace: s.Namespace, NoIDValues: s.NoIDValues})
}

// Result is the outcome of mapping one value.
type Result struct {
	TraceID [16]byte
	// SpanID is all zeros when the form carries no span ID (see HasSpanID).
	SpanID [8]byte
	Rule   Rule
}

// HasSpanID reports whether the input carried a span ID of its own.
func (r Result) HasSpanID() bool { return r.SpanID != [8]byte{} }

// Options configure a Mapper. The zero value is the spec's default.
type Options struct {
	// Namespace, when set, is hashed before opaque IDs: SHA-256(namespace ‖ 0x00 ‖ value).
	Namespace string
	// NoIDValues replaces DefaultNoIDValues when non-nil; compared case-insensitively.
	NoIDValues []string
}

// Mapper maps values per the spec. It is immutable and safe for concurrent use.
type Mapper struct {
	namespace  string
	noIDValues []string
}

// New returns a Mapper for the given options.
func New(opts Options) *Mapper {
	noID := opts.NoIDValues
	if noID == nil {
		noID = DefaultNoIDValues
	}
	return &Mapper{namespace: opts.Namespace, noIDValues: append([]string(nil), noID...)}
}

// Default is the mapper with the spec's default options.
var Default = New(Options{})

// Map maps one value. ok is false when the value carries no ID (empty or a no-ID sentinel).
func (m *Mapper) Map(value string) (res Result, ok bool) {
	v := trimASCIISpace(value)
	if v == "" || m.isNoID(v) {
		return Result{}, false
	}
	if parseStructured(v, &res) && !isZero(res.TraceID[:]) {
		return res, true
	}
	res = Result{Rule: RuleHash}
	m.hashInto(&res.TraceID, v)
	return res, true
}

func (m *Mapper) isNoID(v string) bool {
	for _, s := range m.noIDValues {
		if len(v) == len(s) && strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// parseStructured tries rules 1 to 8 in order. A form whose span ID would be all zeros does
// not match (the spec sends such input to the hash rule). A switch rather than a table of
// funcs keeps res on the caller's stack: indirect calls would make it escape.
func parseStructured(v string, res *Result) bool {
	for rule := RuleTraceparent; rule <= RuleB3; rule++ {
		*res = Result{Rule: rule}
		var ok bool
		switch rule {
		case RuleTraceparent:
			ok = parseTraceparent(v, res)
		case RuleUUID:
			ok = parseUUID(v, res)
		case RuleHex128:
			ok = parseHex128(v, res)
		case RuleHex64:
			ok = parseHex64(v, res)
		case RuleXRay:
			ok = parseXRay(v, res)
		case RuleCloudTrace:
			ok = parseCloudTrace(v, res)
		case RuleJaeger:
			ok = parseJaeger(v, res)
		case RuleB3:
			ok = parseB3(v, res)
		}
		if ok {
			return true
		}
	}
	return false
}

// hashScratch bounds the stack buffer used to hash without allocating; longer values allocate.
const hashScratch = 256

func (m *Mapper) hashInto(dst *[16]byte, v string) {
	var buf [hashScratch]byte
	var in []byte
	if m.namespace == "" {
		in = append(buf[:0], v...)
	} else {
		in = append(append(append(buf[:0], m.namespace...), 0), v...)
	}
	sum := sha256.Sum256(in)
	copy(dst[:], sum[:16])
	if isZero(dst[:]) { // 2^-128; the spec promises never to produce the invalid ID
		dst[15] = 1
	}
}

// ReceiveSpanName is the name a pubsub_trace receive span's ID is derived from, as a
// service's span ID is derived from its name: "pubsub receive " + the subscription ID
// (subscription may also be the full projects/<p>/subscriptions/<id> name). The receive span
// of a trace's first message on a subscription gets DeriveSpanID(trace, ReceiveSpanName(sub)),
// and legacy_spans derives the same ID to parent a consumer's span on that hop without having
// seen the receive span, so the two agree across gateways. Callers compute the name once.
func ReceiveSpanName(subscription string) string {
	if i := strings.LastIndexByte(subscription, '/'); i >= 0 {
		subscription = subscription[i+1:]
	}
	return "pubsub receive " + subscription
}

// DeriveReceiveSpanID is DeriveSpanID(traceID, ReceiveSpanName(subscription)).
func DeriveReceiveSpanID(traceID [16]byte, subscription string) [8]byte {
	return DeriveSpanID(traceID, ReceiveSpanName(subscription))
}

// DeriveSpanID returns the span ID the spec derives for records that carry only a trace ID:
// the first 8 bytes of SHA-256(trace ID bytes ‖ UTF-8 service name).
func DeriveSpanID(traceID [16]byte, serviceName string) [8]byte {
	var buf [16 + hashScratch]byte
	in := append(append(buf[:0], traceID[:]...), serviceName...)
	sum := sha256.Sum256(in)
	var span [8]byte
	copy(span[:], sum[:8])
	if isZero(span[:]) {
		span[7] = 1
	}
	return span
}

// FormatUUID writes a trace ID in the 8-4-4-4-12 UUID form, which maps back to the same trace
// ID by rule 2.
func FormatUUID(traceID [16]byte) string {
	var buf [36]byte
	out := buf[:0]
	for i, c := range traceID {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, lowerHex[c>>4], lowerHex[c&0x0f])
	}
	return string(out)
}

// FormatHex returns the 32 lower-case hex digits of a trace ID.
func FormatHex(traceID [16]byte) string {
	var buf [32]byte
	return string(appendHex(buf[:0], traceID[:]))
}

func trimASCIISpace(s string) string {
	start, end := 0, len(s)
	for start < end && isASCIISpace(s[start]) {
		start++
	}
	for end > start && isASCIISpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
