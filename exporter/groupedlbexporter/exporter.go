// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/otelcol-mlops/otelcol-mlops/exporter/groupedlbexporter/internal/metadata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/periodic"
)

// lookupFunc resolves a host name to addresses (net.DefaultResolver.LookupHost in production).
type lookupFunc func(ctx context.Context, host string) ([]string, error)

type backend struct {
	exp     exporter.Logs
	ok, bad metric.MeasurementOption
	records metric.MeasurementOption
	// sending counts the sends in progress: a backend removed from the ring is shut down only
	// once they are done. Sends register under mu's read lock, so none starts after removal.
	sending sync.WaitGroup
}

type groupedExporter struct {
	cfg    *Config
	set    exporter.Settings
	otlp   exporter.Factory
	lookup lookupFunc

	host component.Host
	// mu guards ring and backends. A send holds it only to pick its backends (never across
	// the network), so a resolver update never waits for a slow gateway, nor do other sends.
	mu       sync.RWMutex
	ring     *ring
	backends map[string]*backend

	// untraced spreads records without a trace ID over the gateways in turn, across batches.
	untraced atomic.Uint64
	// retiring counts removed gateways whose exporters are not shut down yet.
	retiring sync.WaitGroup

	tel *metadata.TelemetryBuilder

	// resolving re-resolves the DNS name; nil with a static list or before Start.
	resolving *periodic.Loop
}

func newExporter(set exporter.Settings, cfg *Config) (*groupedExporter, error) {
	e := &groupedExporter{cfg: cfg, set: set, otlp: otlpexporter.NewFactory(), lookup: net.DefaultResolver.LookupHost,
		ring: newRing(nil), backends: map[string]*backend{}}
	var err error
	if e.tel, err = metadata.NewTelemetryBuilder(set.TelemetrySettings); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *groupedExporter) start(ctx context.Context, host component.Host) error {
	e.host = host
	if e.cfg.Resolver.Static.HasValue() {
		return e.update(ctx, e.cfg.Resolver.Static.Get().Hostnames)
	}
	dns := e.cfg.Resolver.DNS.Get()
	if err := e.resolve(ctx, dns); err != nil {
		// Not fatal: sends fail (and are retried from the queue) until a gateway resolves.
		e.set.Logger.Warn("no gateway resolved yet", zap.String("hostname", dns.Hostname), zap.Error(err))
	}
	interval := dns.Interval
	if interval == 0 {
		interval = 5 * time.Second
	}
	e.resolving = periodic.Start(interval, func() {
		if err := e.resolve(context.Background(), dns); err != nil {
			e.set.Logger.Warn("resolving gateways failed; keeping the last set", zap.String("hostname", dns.Hostname), zap.Error(err))
		}
	})
	return nil
}

func (e *groupedExporter) resolve(ctx context.Context, dns *DNSResolver) error {
	timeout := dns.Timeout
	if timeout == 0 {
		timeout = time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addrs, err := e.lookup(ctx, dns.Hostname)
	if err != nil {
		return err
	}
	port := dns.Port
	if port == "" {
		port = "4317"
	}
	endpoints := make([]string, 0, len(addrs))
	for _, a := range addrs {
		endpoints = append(endpoints, net.JoinHostPort(a, port))
	}
	return e.update(ctx, endpoints)
}

// update makes endpoints the ring: new gateways get an OTLP exporter, gone ones are shut down
// once the sends in progress to them are done. If an exporter cannot be created, the previous
// set stays and every exporter created for the new one is shut down.
func (e *groupedExporter) update(ctx context.Context, endpoints []string) error {
	endpoints = slices.Compact(slices.Sorted(slices.Values(endpoints)))
	e.mu.RLock()
	same := slices.Equal(endpoints, e.ring.endpoints)
	current := e.backends
	e.mu.RUnlock()
	if same {
		return nil
	}
	next := make(map[string]*backend, len(endpoints))
	var created []string
	for _, ep := range endpoints {
		b, ok := current[ep]
		if !ok {
			var err error
			if b, err = e.newBackend(ctx, ep); err != nil {
				for _, c := range created {
					err = errors.Join(err, next[c].exp.Shutdown(ctx))
				}
				return err
			}
			created = append(created, ep)
		}
		next[ep] = b
	}
	e.mu.Lock()
	old := e.backends
	e.backends, e.ring = next, newRing(endpoints)
	e.mu.Unlock()
	for ep, b := range old {
		if _, kept := next[ep]; !kept {
			e.retire(ep, b)
		}
	}
	e.set.Logger.Info("gateways", zap.Strings("endpoints", endpoints), zap.Strings("added", created))
	return nil
}

// retire shuts a removed gateway's exporter down once its sends in progress are done, without
// holding up the caller: a slow gateway must not delay the next resolution.
func (e *groupedExporter) retire(endpoint string, b *backend) {
	e.retiring.Add(1)
	go func() {
		defer e.retiring.Done()
		b.sending.Wait()
		if err := b.exp.Shutdown(context.Background()); err != nil {
			e.set.Logger.Warn("shutting down a removed gateway's exporter", zap.String("endpoint", endpoint), zap.Error(err))
		}
	}()
}

func (e *groupedExporter) newBackend(ctx context.Context, endpoint string) (*backend, error) {
	cfg := e.cfg.Protocol.OTLP
	cfg.ClientConfig.Endpoint = endpoint
	// Synchronous sends: a record leaves the queue in front only once the gateway has it.
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.Enabled = false
	set := e.set
	set.ID = component.NewIDWithName(e.otlp.Type(), e.set.ID.String())
	set.Logger = e.set.Logger.With(zap.String("endpoint", endpoint))
	set.MeterProvider = metricnoop.NewMeterProvider()
	set.TracerProvider = tracenoop.NewTracerProvider()
	exp, err := e.otlp.CreateLogs(ctx, set, &cfg)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: %w", endpoint, err)
	}
	if err := exp.Start(ctx, e.host); err != nil {
		return nil, fmt.Errorf("gateway %s: %w", endpoint, err)
	}
	attr := attribute.String("endpoint", endpoint)
	return &backend{exp: exp,
		ok:      metric.WithAttributeSet(attribute.NewSet(attr, attribute.String("outcome", "success"))),
		bad:     metric.WithAttributeSet(attribute.NewSet(attr, attribute.String("outcome", "failure"))),
		records: metric.WithAttributeSet(attribute.NewSet(attr)),
	}, nil
}

func (e *groupedExporter) shutdown(ctx context.Context) error {
	errs := []error{e.resolving.Stop(ctx)}
	e.mu.Lock()
	backends := e.backends
	e.backends, e.ring = map[string]*backend{}, newRing(nil)
	e.mu.Unlock()
	for _, b := range backends {
		b.sending.Wait()
		errs = append(errs, b.exp.Shutdown(ctx))
	}
	e.retiring.Wait()
	return errors.Join(errs...)
}

// pushLogs sends ld as one request per gateway. When ld was split, what the gateways refused
// comes back as a consumererror.Logs holding only their records, so the queue retries those
// alone; unsplit, ld itself is retried.
func (e *groupedExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	e.mu.RLock()
	if len(e.ring.endpoints) == 0 {
		e.mu.RUnlock()
		return errors.New("no gateway endpoint resolved")
	}
	groups := split(ld, e.ring, &e.untraced)
	targets := make(map[string]*backend, len(groups))
	for ep := range groups {
		b := e.backends[ep]
		b.sending.Add(1)
		targets[ep] = b
	}
	e.mu.RUnlock()
	if len(groups) == 1 {
		for ep, g := range groups {
			return e.send(ctx, ep, targets[ep], g)
		}
	}
	var mu sync.Mutex
	var errs []error
	failed := plog.NewLogs()
	var wg sync.WaitGroup
	for ep, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.send(ctx, ep, targets[ep], g); err != nil {
				mu.Lock()
				errs = append(errs, err)
				g.ResourceLogs().MoveAndAppendTo(failed.ResourceLogs())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) == 0 {
		return nil
	}
	// The split moved the records out of ld: the error carries the refused ones, even when
	// that is all of them (a retry of ld would send emptied records).
	return consumererror.NewLogs(errors.Join(errs...), failed)
}

// send delivers one gateway's records; b.sending was registered by the caller.
func (e *groupedExporter) send(ctx context.Context, endpoint string, b *backend, ld plog.Logs) error {
	defer b.sending.Done()
	e.tel.ExporterGroupedLoadbalancingBackendRecords.Add(ctx, int64(ld.LogRecordCount()), b.records)
	if err := b.exp.ConsumeLogs(ctx, ld); err != nil {
		e.tel.ExporterGroupedLoadbalancingBackendRequests.Add(ctx, 1, b.bad)
		return fmt.Errorf("gateway %s: %w", endpoint, err)
	}
	e.tel.ExporterGroupedLoadbalancingBackendRequests.Add(ctx, 1, b.ok)
	return nil
}

// split groups ld's records by the gateway their trace ID belongs to, keeping resources and
// scopes; records without a trace ID are spread over the gateways in turn, the turn kept in
// untraced from batch to batch. With one gateway, or all records on one, ld itself is the
// only group (nothing is copied).
func split(ld plog.Logs, r *ring, untraced *atomic.Uint64) map[string]plog.Logs {
	if len(r.endpoints) == 1 {
		return map[string]plog.Logs{r.endpoints[0]: ld}
	}
	type cursor struct {
		logs     plog.Logs
		rl       plog.ResourceLogs
		sl       plog.ScopeLogs
		rlAt     int
		slAt     int
		hasScope bool
	}
	var first string
	single := true
	endpointOf := func(rec plog.LogRecord) string {
		tid := rec.TraceID()
		if tid.IsEmpty() {
			return r.endpoints[untraced.Add(1)%uint64(len(r.endpoints))]
		}
		return r.endpointFor(tid[:])
	}
	// A first pass finds out whether the batch needs splitting at all.
	targets := make([]string, 0, ld.LogRecordCount())
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, rec := range sl.LogRecords().All() {
				ep := endpointOf(rec)
				if first == "" {
					first = ep
				} else if ep != first {
					single = false
				}
				targets = append(targets, ep)
			}
		}
	}
	if single {
		return map[string]plog.Logs{first: ld}
	}
	out := map[string]*cursor{}
	n := 0
	for i, rl := range ld.ResourceLogs().All() {
		for j, sl := range rl.ScopeLogs().All() {
			for _, rec := range sl.LogRecords().All() {
				ep := targets[n]
				n++
				c := out[ep]
				if c == nil {
					c = &cursor{logs: plog.NewLogs(), rlAt: -1}
					out[ep] = c
				}
				if c.rlAt != i {
					c.rl = c.logs.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(c.rl.Resource())
					c.rl.SetSchemaUrl(rl.SchemaUrl())
					c.rlAt, c.hasScope = i, false
				}
				if !c.hasScope || c.slAt != j {
					c.sl = c.rl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(c.sl.Scope())
					c.sl.SetSchemaUrl(sl.SchemaUrl())
					c.slAt, c.hasScope = j, true
				}
				rec.MoveTo(c.sl.LogRecords().AppendEmpty())
			}
		}
	}
	groups := make(map[string]plog.Logs, len(out))
	for ep, c := range out {
		groups[ep] = c.logs
	}
	return groups
}

// endpointsOf is the current ring's endpoints (sorted, as the ring keeps them).
func (e *groupedExporter) endpointsOf() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return append([]string(nil), e.ring.endpoints...)
}
