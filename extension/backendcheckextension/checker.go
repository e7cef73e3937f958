// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package backendcheckextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-mlops/otelcol-mlops/extension/backendcheckextension/internal/metadata"
)

// target is one endpoint of one backend, with what its probes found.
type target struct {
	backend, endpoint, address string
	attrs                      metric.MeasurementOption

	// guarded by checker.mu
	probed    bool
	reachable bool
	lastErr   error
	since     time.Time // when reachable last changed
	reminded  time.Time // when the last warning was logged
}

type checker struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	dialer    net.Dialer

	mu      sync.Mutex
	targets []*target
	rounds  int

	host    component.Host
	cancel  context.CancelFunc
	done    sync.WaitGroup
	server  *http.Server
	stopped chan struct{}
}

func newChecker(set extension.Settings, cfg *Config) (*checker, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	c := &checker{cfg: cfg, logger: set.Logger, telemetry: tb, dialer: net.Dialer{Timeout: cfg.Timeout}}
	for _, name := range slices.Sorted(maps.Keys(cfg.Backends)) {
		for _, e := range cfg.Backends[name] {
			addr, err := dialAddress(e)
			if err != nil {
				return nil, err
			}
			c.targets = append(c.targets, &target{backend: name, endpoint: e, address: addr,
				attrs: metric.WithAttributeSet(attribute.NewSet(attribute.String("backend", name), attribute.String("endpoint", addr)))})
		}
	}
	err = tb.RegisterExtensionBackendCheckReachableCallback(func(_ context.Context, o metric.Int64Observer) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, t := range c.targets {
			if !t.probed {
				continue
			}
			v := int64(0)
			if t.reachable {
				v = 1
			}
			o.Observe(v, t.attrs)
		}
		return nil
	})
	return c, err
}

// Start probes in the background (start-up never waits for a backend) and opens the status
// page when an endpoint is configured.
func (c *checker) Start(_ context.Context, host component.Host) error {
	c.host = host
	if c.cfg.Endpoint != "" {
		ln, err := net.Listen("tcp", c.cfg.Endpoint)
		if err != nil {
			return fmt.Errorf("backend_check status page on %s: %w", c.cfg.Endpoint, err)
		}
		c.server = &http.Server{Handler: http.HandlerFunc(c.serveStatus), ReadHeaderTimeout: 5 * time.Second}
		c.stopped = make(chan struct{})
		go func() {
			defer close(c.stopped)
			if err := c.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				c.logger.Error("backend_check status page stopped", zap.Error(err))
			}
		}()
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.done.Add(1)
	go c.loop(ctx)
	return nil
}

func (c *checker) Shutdown(ctx context.Context) error {
	if c.cancel != nil {
		c.cancel()
		c.done.Wait()
	}
	if c.server != nil {
		err := c.server.Shutdown(ctx)
		<-c.stopped
		if err != nil {
			return err
		}
	}
	c.telemetry.Shutdown()
	return nil
}

func (c *checker) loop(ctx context.Context) {
	defer c.done.Done()
	ticker := time.NewTicker(c.cfg.Interval)
	defer ticker.Stop()
	for {
		c.probeAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// probeAll connects to every endpoint at once, then records, logs and reports what changed.
func (c *checker) probeAll(ctx context.Context) {
	errs := make([]error, len(c.targets))
	var wg sync.WaitGroup
	for i, t := range c.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.probe(ctx, t.address)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return // shutting down: a cancelled dial says nothing about the backend
	}
	now := time.Now()
	var down []error
	c.mu.Lock()
	for i, t := range c.targets {
		c.record(ctx, t, errs[i], now)
		if errs[i] != nil {
			down = append(down, fmt.Errorf("%s (%s) unreachable: %w", t.backend, t.address, errs[i]))
		}
	}
	c.rounds++
	c.mu.Unlock()
	if len(down) > 0 {
		componentstatus.ReportStatus(c.host, componentstatus.NewRecoverableErrorEvent(errors.Join(down...)))
	} else {
		componentstatus.ReportStatus(c.host, componentstatus.NewEvent(componentstatus.StatusOK))
	}
}

// settle is how long a probe waits, once connected, for the peer to close the connection.
const settle = 250 * time.Millisecond

var errClosedByPeer = errors.New("the connection was closed by the peer as soon as it was open (a proxy or load balancer with nothing behind it?)")

// probe connects to address. A backend that accepts and then closes at once (a proxy, a
// Service or a load balancer whose backends are gone) is unreachable too: an HTTP, gRPC or
// TLS server waits for the client's first bytes, so a read that times out means it is there.
func (c *checker) probe(ctx context.Context, address string) error {
	conn, err := c.dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if err := conn.SetReadDeadline(time.Now().Add(min(settle, c.cfg.Timeout))); err != nil {
		return err
	}
	var b [1]byte
	n, err := conn.Read(b[:])
	var netErr net.Error
	switch {
	case n > 0, errors.As(err, &netErr) && netErr.Timeout():
		return nil
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return errClosedByPeer
	default:
		return err
	}
}

// record updates t with one probe's outcome; a change (and a long outage, every
// remind_interval) is logged. Called with c.mu held.
func (c *checker) record(ctx context.Context, t *target, err error, now time.Time) {
	fields := []zap.Field{zap.String("backend", t.backend), zap.String("endpoint", t.address)}
	wasProbed, wasReachable := t.probed, t.reachable
	t.probed, t.reachable, t.lastErr = true, err == nil, err
	if err != nil {
		c.telemetry.ExtensionBackendCheckFailures.Add(ctx, 1, t.attrs)
	}
	switch {
	case err != nil && (!wasProbed || wasReachable):
		t.since, t.reminded = now, now
		c.logger.Warn("backend unreachable: what is sent to it waits in its exporter's queue and retries, or is refused to the senders",
			append(fields, zap.Error(err))...)
	case err != nil && c.cfg.RemindInterval > 0 && now.Sub(t.reminded) >= c.cfg.RemindInterval:
		t.reminded = now
		c.logger.Warn("backend still unreachable", append(fields, zap.Duration("for", now.Sub(t.since).Round(time.Second)), zap.Error(err))...)
	case err == nil && wasProbed && !wasReachable:
		c.logger.Info("backend reachable again", append(fields, zap.Duration("after", now.Sub(t.since).Round(time.Second)))...)
		t.since = now
	case err == nil && !wasProbed:
		t.since = now
	}
}

// statusPage is the status page's JSON.
type statusPage struct {
	Status   string          `json:"status"` // "reachable", "unreachable" or "checking"
	Backends []backendStatus `json:"backends"`
}

type backendStatus struct {
	Name      string    `json:"name"`
	Endpoint  string    `json:"endpoint"`
	Reachable *bool     `json:"reachable,omitempty"` // absent before the first probe
	Error     string    `json:"error,omitempty"`
	Since     time.Time `json:"since,omitzero"`
}

// serveStatus answers 200 when every backend was reachable at the last probe, 503 otherwise
// (and before the first probe), with each backend's state.
func (c *checker) serveStatus(w http.ResponseWriter, _ *http.Request) {
	page := c.status()
	code := http.StatusOK
	if page.Status != "reachable" {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(page)
}

func (c *checker) status() statusPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	page := statusPage{Status: "reachable"}
	if c.rounds == 0 {
		page.Status = "checking"
	}
	for _, t := range c.targets {
		s := backendStatus{Name: t.backend, Endpoint: t.address, Since: t.since}
		if t.probed {
			reachable := t.reachable
			s.Reachable = &reachable
			if t.lastErr != nil {
				s.Error = t.lastErr.Error()
				page.Status = "unreachable"
			}
		}
		page.Backends = append(page.Backends, s)
	}
	return page
}

func (c *checker) roundsDone() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rounds
}
