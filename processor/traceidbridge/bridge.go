// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// Attributes the bridge writes.
const (
	// AttrLegacyTraceID, AttrLegacyFormat and AttrLegacyMappedTraceID are legacyid's names.
	AttrLegacyTraceID       = legacyid.AttrTraceID
	AttrLegacyFormat        = legacyid.AttrFormat
	AttrLegacyMappedTraceID = legacyid.AttrMappedTraceID
	// AttrOriginalTraceID holds a span's trace ID before override moved it.
	AttrOriginalTraceID = "legacy.original_trace_id"
	// AttrTraceMissing marks records with no trace context at all (tag_missing).
	AttrTraceMissing = "trace.missing"
	// serviceNameKey is semconv's service.name, the input of the derived span ID.
	serviceNameKey = "service.name"
)

type bridge struct {
	cfg     *Config
	sources sources
	// metricSources are the attribute sources only: data points have no body, and a legacy ID
	// on the resource would put the same exemplar on every point.
	metricSources sources
	telemetry     *telemetry
}

func newBridge(set processor.Settings, cfg *Config) (*bridge, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	mapper := cfg.Mapper()
	var attrSources []SourceConfig
	for _, src := range cfg.sources() {
		if src.From == FromAttribute {
			attrSources = append(attrSources, src)
		}
	}
	return &bridge{
		cfg:           cfg,
		sources:       compileSources(cfg.sources(), mapper),
		metricSources: compileSources(attrSources, mapper),
		telemetry:     tel,
	}, nil
}

func serviceName(resource pcommon.Map) string {
	if v, ok := resource.Get(serviceNameKey); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// spanIDFor is the span ID a record gets: the one the legacy ID carried, or the spec's
// derived span ID for (trace, service), which every log of that service in that trace shares.
func spanIDFor(res legacyid.Result, service string) pcommon.SpanID {
	if res.HasSpanID() {
		return pcommon.SpanID(res.SpanID)
	}
	return pcommon.SpanID(legacyid.DeriveSpanID(res.TraceID, service))
}

// derivedSpanCache remembers the last derived span ID: a service's logs of one trace tend to
// arrive together, and the derivation is a SHA-256.
type derivedSpanCache struct {
	traceID [16]byte
	service string
	spanID  pcommon.SpanID
	valid   bool
}

func (d *derivedSpanCache) spanIDFor(res legacyid.Result, service string) pcommon.SpanID {
	if res.HasSpanID() {
		return pcommon.SpanID(res.SpanID)
	}
	if !d.valid || d.traceID != res.TraceID || d.service != service {
		d.traceID, d.service, d.valid = res.TraceID, service, true
		d.spanID = pcommon.SpanID(legacyid.DeriveSpanID(res.TraceID, service))
	}
	return d.spanID
}

// putStr sets a string attribute unless it already holds that value: a gateway re-bridging
// what a sidecar bridged then allocates nothing.
func putStr(attrs pcommon.Map, key, value string) {
	if v, ok := attrs.Get(key); ok && v.Type() == pcommon.ValueTypeStr && v.Str() == value {
		return
	}
	attrs.PutStr(key, value)
}

func (b *bridge) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var c counts
	var spans derivedSpanCache
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		resource := rl.Resource().Attributes()
		service := serviceName(resource)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			recs := sls.At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				b.bridgeLog(resource, service, recs.At(k), &spans, &c)
			}
		}
	}
	b.telemetry.record(ctx, signalLogs, &c)
	return ld, nil
}

func (b *bridge) bridgeLog(resource pcommon.Map, service string, rec plog.LogRecord, spans *derivedSpanCache, c *counts) {
	attrs := rec.Attributes()
	f := b.sources.find(record{resource: resource, attrs: attrs, body: rec.Body(), hasBody: true})
	c.unparseable += int64(f.unparseable)
	if !f.ok {
		if rec.TraceID().IsEmpty() {
			c.missing++
			if b.cfg.TagMissing {
				attrs.PutBool(AttrTraceMissing, true)
			}
		}
		return
	}
	putStr(attrs, AttrLegacyTraceID, f.raw)
	putStr(attrs, AttrLegacyFormat, f.result.Rule.String())
	mapped := pcommon.TraceID(f.result.TraceID)
	if !rec.TraceID().IsEmpty() && !b.cfg.Override {
		if rec.TraceID() != mapped {
			c.conflicts++
			putStr(attrs, AttrLegacyMappedTraceID, legacyid.FormatHex(f.result.TraceID))
		}
		return
	}
	rec.SetTraceID(mapped)
	if rec.SpanID().IsEmpty() || b.cfg.Override {
		rec.SetSpanID(spans.spanIDFor(f.result, service))
	}
	c.bridged[f.result.Rule]++
}
