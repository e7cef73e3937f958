// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package xtraceid is an OpenTelemetry TextMapPropagator for the legacy X-Trace-ID header, so
// a Go service instrumented with go.opentelemetry.io/otel joins the trace that its legacy
// callers started, with the same trace ID the trace_id_bridge processor computes for their
// logs (the legacy ID mapping, spec v1, docs/trace-id-mapping.md).
//
// Use it after the W3C propagator, which wins whenever a traceparent is present:
//
//	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
//		propagation.TraceContext{}, propagation.Baggage{}, xtraceid.New()))
package xtraceid

import (
	"context"
	"net/textproto"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// DefaultHeader is the header read and written when no other names are configured.
const DefaultHeader = "X-Trace-ID"

const traceparentHeader = "traceparent"

// Propagator extracts and injects legacy trace ID headers.
type Propagator struct {
	headers         []string
	mapper          *legacyid.Mapper
	upstreamService string
	sampled         bool
}

var _ propagation.TextMapPropagator = Propagator{}

// Option configures a Propagator.
type Option func(*Propagator)

// WithHeaders sets the header names read, in order; the first is the one Inject writes.
func WithHeaders(names ...string) Option {
	return func(p *Propagator) {
		if len(names) > 0 {
			p.headers = append([]string(nil), names...)
		}
	}
}

// WithMapping sets the mapping's namespace and no-ID values from the settings the
// trace_id_bridge processor and the pubsub_trace receiver are configured with
// (namespace, no_id_values), so all three agree on every trace ID. Their keys are attribute and
// field names, not headers: WithHeaders names the headers.
func WithMapping(s legacyid.Settings) Option {
	return func(p *Propagator) { p.mapper = s.Mapper() }
}

// WithUpstreamService names the legacy service that calls this one. The remote parent's span
// ID is then the spec's derived span ID of that service in the trace, which is the span ID the
// bridge gives that service's logs (and the legacy_spans connector its synthesised span), so
// this service's spans hang under the caller in the waterfall. Without it the parent is the
// derived span ID of the empty service name.
func WithUpstreamService(name string) Option {
	return func(p *Propagator) { p.upstreamService = name }
}

// WithSampled sets the sampled flag of extracted contexts (default true: legacy callers make
// no sampling decision, and a parent-based sampler would otherwise drop their traces).
func WithSampled(sampled bool) Option {
	return func(p *Propagator) { p.sampled = sampled }
}

// New returns a Propagator reading and writing X-Trace-ID with the spec's default mapping.
func New(opts ...Option) Propagator {
	p := Propagator{headers: []string{DefaultHeader}, mapper: legacyid.Default, sampled: true}
	for _, opt := range opts {
		opt(&p)
	}
	return p
}

type legacyKey struct{}

type legacyValue struct {
	value   string
	traceID trace.TraceID
}

// LegacyID returns the legacy ID extracted into ctx, if any, so a service can log it.
func LegacyID(ctx context.Context) (string, bool) {
	v, ok := ctx.Value(legacyKey{}).(legacyValue)
	return v.value, ok
}

// Extract reads the first configured header that holds an ID, unless the carrier has a
// traceparent or ctx already carries a span context (another propagator extracted one).
func (p Propagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	if carrier.Get(traceparentHeader) != "" || trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	for _, h := range p.headers {
		value := carrier.Get(h)
		if value == "" {
			value = carrier.Get(textproto.CanonicalMIMEHeaderKey(h))
		}
		res, ok := p.mapper.Map(value)
		if !ok {
			continue
		}
		spanID := res.SpanID
		if !res.HasSpanID() {
			spanID = legacyid.DeriveSpanID(res.TraceID, p.upstreamService)
		}
		var flags trace.TraceFlags
		if p.sampled {
			flags = trace.FlagsSampled
		}
		sc := trace.NewSpanContext(trace.SpanContextConfig{
			TraceID:    res.TraceID,
			SpanID:     spanID,
			TraceFlags: flags,
			Remote:     true,
		})
		ctx = context.WithValue(ctx, legacyKey{}, legacyValue{value: value, traceID: res.TraceID})
		return trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	return ctx
}

// Inject writes the first configured header: the legacy value this trace arrived with, or the
// trace ID as a UUID, which maps back to the same trace ID by the spec's rule 2.
func (p Propagator) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return
	}
	if v, ok := ctx.Value(legacyKey{}).(legacyValue); ok && v.traceID == sc.TraceID() {
		carrier.Set(p.headers[0], v.value)
		return
	}
	carrier.Set(p.headers[0], legacyid.FormatUUID(sc.TraceID()))
}

// Fields returns the header names the propagator uses.
func (p Propagator) Fields() []string {
	return append([]string(nil), p.headers...)
}
