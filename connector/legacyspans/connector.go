// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"container/list"
	"context"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans/internal/metadata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/periodic"
	"github.com/otelcol-mlops/otelcol-mlops/internal/utf8prefix"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Attributes of synthesised spans, and the one that marks bridged logs.
const (
	AttrSynthesized    = "otelcol.legacy_spans.synthesized"
	AttrLogCount       = "otelcol.legacy_spans.log_count"
	AttrContinuation   = "otelcol.legacy_spans.continuation"
	AttrEventsDropped  = "otelcol.legacy_spans.events_dropped"
	attrServiceName    = "service.name"
	eventName          = "log"
	closedKeysPerGroup = 2 // closed keys remembered per open-group slot, to spot late logs
)

type groupKey struct {
	trace   pcommon.TraceID
	service string
}

// group is one (trace, service) whose logs become one span.
type group struct {
	key          groupKey
	span         ptrace.Span
	resource     pcommon.Resource
	first, last  pcommon.Timestamp
	opened, seen time.Time
	count        int
	dropped      int
	failed       bool
	elem         *list.Element
}

type legacySpans struct {
	cfg      *Config
	next     consumer.Traces
	logger   *zap.Logger
	tel      *metadata.TelemetryBuilder
	services map[string]bool
	parentOf map[string]Hop // service → the hop that gives it its parent
	now      func() time.Time
	// instrumented is what the traces side of this legacy_spans saw: services of a trace
	// that sent real spans (a browser page, an SDK).
	instrumented *instrumented

	mu     sync.Mutex
	groups map[groupKey]*group
	order  *list.List // open groups, oldest first
	closed *keyLRU

	// loop closes idle groups; nil until Start.
	loop         *periodic.Loop
	shutdownOnce sync.Once
}

func newConnector(set connector.Settings, cfg *Config, next consumer.Traces, in *instrumented) (*legacySpans, error) {
	c := &legacySpans{
		instrumented: in,
		cfg:          cfg,
		next:         next,
		logger:       set.Logger,
		services:     map[string]bool{},
		parentOf:     map[string]Hop{},
		now:          time.Now,
		groups:       map[groupKey]*group{},
		order:        list.New(),
		closed:       newKeyLRU(cfg.MaxOpenGroups * closedKeysPerGroup),
	}
	for _, s := range cfg.Services {
		c.services[s] = true
	}
	for _, h := range cfg.Hops {
		c.parentOf[h.To] = h
	}
	var err error
	if c.tel, err = newTelemetry(set.TelemetrySettings, c.openGroups); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *legacySpans) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// Start runs the timer that closes idle and long-running groups.
func (c *legacySpans) Start(context.Context, component.Host) error {
	c.loop = periodic.Start(min(c.cfg.IdleTimeout/4, time.Second), func() {
		c.emit(context.Background(), c.expired(c.now()))
	})
	return nil
}

// Shutdown stops closing idle groups (within ctx), then flushes every open group, once.
func (c *legacySpans) Shutdown(ctx context.Context) error {
	var err error
	c.shutdownOnce.Do(func() {
		err = c.loop.Stop(ctx)
		c.mu.Lock()
		var all []*group
		for e := c.order.Front(); e != nil; e = e.Next() {
			all = append(all, e.Value.(*group))
		}
		c.groups, c.order = map[groupKey]*group{}, list.New()
		c.mu.Unlock()
		c.emit(ctx, all)
		c.tel.Shutdown()
	})
	return err
}

func (c *legacySpans) selected(rec plog.LogRecord, service string) bool {
	if rec.TraceID().IsEmpty() {
		return false
	}
	if c.services[service] {
		return true
	}
	if c.cfg.Bridged {
		_, bridged := schema.FieldsOf(rec).Get(legacyid.AttrTraceID) // after ecs_shape, in the body
		return bridged
	}
	return false
}

// ConsumeLogs adds selected records to their groups; groups pushed out by the bound on open
// groups are emitted right away.
func (c *legacySpans) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	var evicted []*group
	now := c.now()
	c.mu.Lock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		service := ""
		if v, ok := rl.Resource().Attributes().Get(attrServiceName); ok {
			service = v.AsString()
		}
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			recs := sls.At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				rec := recs.At(k)
				if !c.selected(rec, service) {
					continue
				}
				g, ok := c.groups[groupKey{rec.TraceID(), service}]
				if !ok {
					if c.order.Len() >= c.cfg.MaxOpenGroups {
						evicted = append(evicted, c.closeLocked(c.order.Front().Value.(*group)))
						c.tel.ConnectorLegacySpansEvicted.Add(ctx, 1)
					}
					g = c.openLocked(groupKey{rec.TraceID(), strings.Clone(service)}, rl.Resource(), now)
				}
				c.addLocked(g, rec, now)
			}
		}
	}
	c.mu.Unlock()
	c.emit(ctx, evicted)
	return nil
}

func (c *legacySpans) openLocked(key groupKey, resource pcommon.Resource, now time.Time) *group {
	g := &group{key: key, span: ptrace.NewSpan(), resource: pcommon.NewResource(), opened: now}
	resource.CopyTo(g.resource)
	if c.closed.contains(key) {
		g.span.Attributes().PutBool(AttrContinuation, true)
		c.tel.ConnectorLegacySpansLateGroups.Add(context.Background(), 1)
	}
	g.elem = c.order.PushBack(g)
	c.groups[key] = g
	return g
}

func (c *legacySpans) addLocked(g *group, rec plog.LogRecord, now time.Time) {
	ts := rec.Timestamp()
	if ts == 0 {
		ts = rec.ObservedTimestamp()
	}
	if g.count == 0 || ts < g.first {
		g.first = ts
	}
	if ts > g.last {
		g.last = ts
	}
	g.count++
	g.seen = now
	if rec.SeverityNumber() >= plog.SeverityNumberError && !g.failed {
		g.failed = true
		g.span.Status().SetCode(ptrace.StatusCodeError)
		g.span.Status().SetMessage(utf8prefix.Cut(schema.Message(rec), c.cfg.MaxEventLength))
	}
	if g.span.Events().Len() >= c.cfg.MaxEvents {
		g.dropped++
		return
	}
	ev := g.span.Events().AppendEmpty()
	ev.SetName(eventName)
	ev.SetTimestamp(ts)
	ev.Attributes().PutStr("message", utf8prefix.Cut(schema.Message(rec), c.cfg.MaxEventLength))
	if text := rec.SeverityText(); text != "" {
		ev.Attributes().PutStr("level", text)
	} else if rec.SeverityNumber() != plog.SeverityNumberUnspecified {
		ev.Attributes().PutStr("level", rec.SeverityNumber().String())
	}
}

// closeLocked removes g from the open groups and remembers its key, so late logs are seen.
func (c *legacySpans) closeLocked(g *group) *group {
	c.order.Remove(g.elem)
	delete(c.groups, g.key)
	c.closed.add(g.key)
	return g
}

// expired closes the groups idle longer than idle_timeout or open longer than max_duration.
func (c *legacySpans) expired(now time.Time) []*group {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*group
	for e := c.order.Front(); e != nil; {
		g := e.Value.(*group)
		e = e.Next()
		if now.Sub(g.seen) >= c.cfg.IdleTimeout || now.Sub(g.opened) >= c.cfg.MaxDuration {
			out = append(out, c.closeLocked(g))
		}
	}
	return out
}

func (c *legacySpans) openGroups() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(c.order.Len())
}

// emit turns closed groups into spans and sends them on. The logs were accepted long ago, so
// a refused export cannot be pushed back: it is logged and counted.
func (c *legacySpans) emit(ctx context.Context, groups []*group) {
	if len(groups) == 0 {
		return
	}
	td := ptrace.NewTraces()
	superseded := 0
	for _, g := range groups {
		if _, real := c.instrumented.span(g.key.trace, g.key.service); real {
			superseded++ // the service's own spans are in the trace: no stand-in beside them
			continue
		}
		rs := td.ResourceSpans().AppendEmpty()
		g.resource.CopyTo(rs.Resource())
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(metadata.ScopeName)
		c.finish(g).MoveTo(ss.Spans().AppendEmpty())
	}
	if superseded > 0 {
		c.tel.ConnectorLegacySpansSuperseded.Add(ctx, int64(superseded))
	}
	spans := len(groups) - superseded
	if spans == 0 {
		return
	}
	if err := c.next.ConsumeTraces(ctx, td); err != nil {
		c.logger.Error("synthesised spans refused downstream; dropped", zap.Int("spans", spans), zap.Error(err))
		c.tel.ConnectorLegacySpansDropped.Add(ctx, int64(spans))
		return
	}
	c.tel.ConnectorLegacySpansEmitted.Add(ctx, int64(spans))
}

func (c *legacySpans) finish(g *group) ptrace.Span {
	s := g.span
	s.SetTraceID(g.key.trace)
	s.SetSpanID(pcommon.SpanID(legacyid.DeriveSpanID(g.key.trace, g.key.service)))
	if hop, ok := c.parentOf[g.key.service]; ok {
		s.SetParentSpanID(c.parentSpanID(g.key.trace, hop))
	}
	s.SetName(strings.ReplaceAll(c.cfg.SpanName, "{service}", g.key.service))
	s.SetKind(ptrace.SpanKindInternal)
	s.SetStartTimestamp(g.first)
	s.SetEndTimestamp(g.last)
	s.Attributes().PutBool(AttrSynthesized, true)
	s.Attributes().PutInt(AttrLogCount, int64(g.count))
	if g.dropped > 0 {
		s.Attributes().PutInt(AttrEventsDropped, int64(g.dropped))
	}
	return s
}

// parentSpanID is the span a hop's child hangs under: the calling service's own span when it
// is instrumented (a page's request), else the span ID derived for it (its synthesised span,
// or the Pub/Sub receive span of a from_subscription hop).
func (c *legacySpans) parentSpanID(trace pcommon.TraceID, hop Hop) pcommon.SpanID {
	if hop.From != "" {
		if id, real := c.instrumented.span(trace, hop.From); real {
			return id
		}
	}
	return pcommon.SpanID(legacyid.DeriveSpanID(trace, hop.parentName()))
}

// keyLRU remembers recently closed groups, bounded.
type keyLRU struct {
	max   int
	keys  map[groupKey]*list.Element
	order *list.List
}

func newKeyLRU(maxKeys int) *keyLRU {
	return &keyLRU{max: maxKeys, keys: map[groupKey]*list.Element{}, order: list.New()}
}

func (l *keyLRU) add(k groupKey) {
	if e, ok := l.keys[k]; ok {
		l.order.MoveToBack(e)
		return
	}
	if l.order.Len() >= l.max {
		oldest := l.order.Front()
		delete(l.keys, oldest.Value.(groupKey))
		l.order.Remove(oldest)
	}
	l.keys[k] = l.order.PushBack(k)
}

func (l *keyLRU) contains(k groupKey) bool {
	_, ok := l.keys[k]
	return ok
}
