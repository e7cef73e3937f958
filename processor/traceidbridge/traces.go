// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// processTraces links spans that carry a legacy ID to the mapped trace or, with override,
// moves them there together with every span of their original trace in the batch.
func (b *bridge) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	var c counts
	var moves map[pcommon.TraceID]pcommon.TraceID
	forEachSpan(td, func(resource pcommon.Map, service string, span ptrace.Span) {
		f := b.sources.find(record{resource: resource, attrs: span.Attributes()})
		c.unparseable += int64(f.unparseable)
		if !f.ok {
			return
		}
		mapped := pcommon.TraceID(f.result.TraceID)
		if span.TraceID() == mapped {
			return
		}
		c.bridged[f.result.Rule]++
		if !b.cfg.Override {
			addLegacyLink(span, f, mapped, service)
			return
		}
		if moves == nil {
			moves = map[pcommon.TraceID]pcommon.TraceID{}
		}
		if prev, seen := moves[span.TraceID()]; seen && prev != mapped {
			c.conflicts++ // one trace, two legacy IDs: the first one seen decides
			return
		}
		moves[span.TraceID()] = mapped
	})
	if len(moves) > 0 {
		forEachSpan(td, func(_ pcommon.Map, _ string, span ptrace.Span) {
			if to, ok := moves[span.TraceID()]; ok {
				span.Attributes().PutStr(AttrOriginalTraceID, span.TraceID().String())
				span.SetTraceID(to)
			}
		})
	}
	b.telemetry.record(ctx, signalTraces, &c)
	return td, nil
}

// addLegacyLink links span to the mapped trace, once: a gateway re-running the bridge on
// already-linked spans adds nothing.
func addLegacyLink(span ptrace.Span, f found, mapped pcommon.TraceID, service string) {
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		if links.At(i).TraceID() == mapped {
			return
		}
	}
	link := links.AppendEmpty()
	link.SetTraceID(mapped)
	link.SetSpanID(spanIDFor(f.result, service))
	link.Attributes().PutStr(AttrLegacyTraceID, f.raw)
	link.Attributes().PutStr(AttrLegacyFormat, f.result.Rule.String())
}

func forEachSpan(td ptrace.Traces, fn func(resource pcommon.Map, service string, span ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		resource := rs.Resource().Attributes()
		service := serviceName(resource)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(resource, service, spans.At(k))
			}
		}
	}
}
