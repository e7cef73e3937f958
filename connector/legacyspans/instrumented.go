// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"container/list"
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// instrumentedSpan is the span an instrumented service (a browser page, an SDK) made in a trace
// that a hop's child hangs under: its latest CLIENT span (the call), else its earliest span.
type instrumentedSpan struct {
	id     pcommon.SpanID
	client bool
	start  pcommon.Timestamp
}

func (s instrumentedSpan) betterThan(o instrumentedSpan) bool {
	if s.client != o.client {
		return s.client
	}
	if s.client {
		return s.start >= o.start
	}
	return s.start < o.start
}

type traceServices struct {
	services map[string]instrumentedSpan
	elem     *list.Element
}

// instrumented remembers, for recent traces, which services sent real spans and which span a
// hop from each of them hangs under. Bounded: the oldest trace is forgotten first.
type instrumented struct {
	max int

	mu      sync.Mutex
	byTrace map[pcommon.TraceID]*traceServices
	order   *list.List // traces, oldest first
}

func newInstrumented(maxTraces int) *instrumented {
	return &instrumented{max: maxTraces, byTrace: map[pcommon.TraceID]*traceServices{}, order: list.New()}
}

// record notes every span of td that is not one of ours.
func (in *instrumented) record(td ptrace.Traces) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, rs := range td.ResourceSpans().All() {
		service := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				if _, ours := s.Attributes().Get(AttrSynthesized); ours || s.TraceID().IsEmpty() {
					continue
				}
				in.noteLocked(s.TraceID(), service, instrumentedSpan{id: s.SpanID(), client: s.Kind() == ptrace.SpanKindClient, start: s.StartTimestamp()})
			}
		}
	}
}

func (in *instrumented) noteLocked(trace pcommon.TraceID, service string, s instrumentedSpan) {
	ts, ok := in.byTrace[trace]
	if !ok {
		if in.order.Len() >= in.max {
			oldest := in.order.Front()
			delete(in.byTrace, oldest.Value.(pcommon.TraceID))
			in.order.Remove(oldest)
		}
		ts = &traceServices{services: map[string]instrumentedSpan{}, elem: in.order.PushBack(trace)}
		in.byTrace[trace] = ts
	}
	if cur, seen := ts.services[service]; !seen || s.betterThan(cur) {
		ts.services[service] = s
	}
}

// span returns the span service sent in trace, if it sent any.
func (in *instrumented) span(trace pcommon.TraceID, service string) (pcommon.SpanID, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if ts, ok := in.byTrace[trace]; ok {
		if s, ok := ts.services[service]; ok {
			return s.id, true
		}
	}
	return pcommon.SpanID{}, false
}

// instrumentedSpans is legacy_spans in a traces pipeline: it only records what real spans
// each trace has, for the logs → traces side of the same connector, and sends nothing on.
type instrumentedSpans struct {
	in *instrumented
}

func (c instrumentedSpans) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c instrumentedSpans) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	c.in.record(td)
	return nil
}

func (instrumentedSpans) Start(context.Context, component.Host) error { return nil }

func (instrumentedSpans) Shutdown(context.Context) error { return nil }

// instrumentedStores gives both sides of one legacy_spans (same component ID) one store.
type instrumentedStores struct {
	mu     sync.Mutex
	stores map[component.ID]*instrumented
}

func (s *instrumentedStores) get(id component.ID, cfg *Config) *instrumented {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.stores[id]
	if !ok {
		in = newInstrumented(cfg.MaxOpenGroups * closedKeysPerGroup)
		s.stores[id] = in
	}
	return in
}
