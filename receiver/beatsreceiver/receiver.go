// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-mlops/otelcol-mlops/receiver/beatsreceiver/internal/metadata"
)

const transport = "lumberjack"

type beatsReceiver struct {
	cfg       *Config
	set       receiver.Settings
	next      consumer.Logs
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	limits    limits

	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

func newReceiver(set receiver.Settings, cfg *Config, next consumer.Logs) (*beatsReceiver, error) {
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: transport, ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &beatsReceiver{cfg: cfg, set: set, next: next, obsrecv: obsrecv, telemetry: tb, conns: map[net.Conn]struct{}{},
		limits: limits{maxWindow: cfg.MaxWindowSize, maxEvent: cfg.MaxEventSize, maxDecompressed: cfg.MaxDecompressedSize}}, nil
}

// Start listens; with tls, a client must complete the handshake (and present a certificate
// signed by client_ca_file, when set) before a byte is read.
func (r *beatsReceiver) Start(ctx context.Context, _ component.Host) error {
	ln, err := net.Listen("tcp", r.cfg.Endpoint)
	if err != nil {
		return fmt.Errorf("beats receiver: %w", err)
	}
	if r.cfg.TLS != nil {
		tlsCfg, err := r.cfg.TLS.LoadTLSConfig(ctx)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("beats receiver tls: %w", err)
		}
		ln = tls.NewListener(ln, tlsCfg)
	}
	r.ln = ln
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(1)
	go r.accept()
	return nil
}

// Shutdown stops accepting and closes every connection: a window not yet acknowledged is
// resent by its client to the next collector it reaches.
func (r *beatsReceiver) Shutdown(context.Context) error {
	if r.ln == nil {
		return nil
	}
	err := r.ln.Close()
	r.cancel()
	r.mu.Lock()
	for c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.telemetry.Shutdown()
	return err
}

func (r *beatsReceiver) accept() {
	defer r.wg.Done()
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.set.Logger.Error("beats receiver stopped accepting", zap.Error(err))
			}
			return
		}
		r.mu.Lock()
		if r.ctx.Err() != nil {
			r.mu.Unlock()
			_ = conn.Close()
			return
		}
		r.conns[conn] = struct{}{}
		r.wg.Add(1)
		r.mu.Unlock()
		r.telemetry.ReceiverBeatsConnections.Add(r.ctx, 1)
		go r.serve(conn)
	}
}

func (r *beatsReceiver) serve(conn net.Conn) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.conns, conn)
		r.mu.Unlock()
		_ = conn.Close()
	}()
	log := r.set.Logger.With(zap.String("client", conn.RemoteAddr().String()))
	w := newWindowReader(conn, r.limits)
	for {
		_ = conn.SetReadDeadline(time.Time{}) // a client may stay idle between windows
		n, err := w.readWindowHeader()
		if err == nil && n > 0 {
			_ = conn.SetReadDeadline(time.Now().Add(r.cfg.ReadTimeout))
			err = w.readWindow(n)
		}
		if err != nil {
			r.closed(log, err)
			return
		}
		if n == 0 {
			continue
		}
		if err := r.consume(conn, w.events); err != nil {
			r.refused("pipeline_error")
			log.Warn("window not acknowledged: the client resends it", zap.Int("events", n), zap.Error(err))
			return
		}
		if err := writeACK(conn, w.seq); err != nil {
			log.Debug("acknowledgement not delivered: the client resends the window", zap.Error(err))
			return
		}
		r.telemetry.ReceiverBeatsEvents.Add(r.ctx, int64(n))
	}
}

// closed reports why a connection ended: quietly for a client that left or a shutdown,
// as a counted warning for a protocol or limit violation.
func (r *beatsReceiver) closed(log *zap.Logger, err error) {
	var limit *limitError
	switch {
	case errors.As(err, &limit):
		r.refused(limit.reason)
		log.Warn("connection closed: the client broke the protocol or a limit", zap.String("reason", limit.reason), zap.Error(err))
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), r.ctx.Err() != nil:
		log.Debug("connection closed", zap.Error(err))
	default:
		r.refused(reasonProtocol)
		log.Warn("connection closed mid-window: the client resends the window", zap.Error(err))
	}
}

func (r *beatsReceiver) refused(reason string) {
	r.telemetry.ReceiverBeatsWindowsRefused.Add(r.ctx, 1, metric.WithAttributes(attribute.String("reason", reason)))
}

// consume hands one window to the pipeline, telling the client every keepalive that it is
// still being processed, and returns the pipeline's answer.
func (r *beatsReceiver) consume(conn net.Conn, events [][]byte) error {
	ld := plog.NewLogs()
	now := pcommon.NewTimestampFromTime(time.Now())
	for _, raw := range events {
		if err := decodeEvent(raw, ld, now); err != nil {
			keepUndecodable(raw, err, ld, now)
		}
	}
	ctx := r.obsrecv.StartLogsOp(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.next.ConsumeLogs(ctx, ld) }()
	ticker := time.NewTicker(r.cfg.Keepalive)
	defer ticker.Stop()
	for {
		select {
		case err := <-done:
			r.obsrecv.EndLogsOp(ctx, metadata.Type.String(), len(events), err)
			return err
		case <-ticker.C:
			if writeErr := writeACK(conn, 0); writeErr != nil {
				// the client is gone; the pipeline's answer still counts for the telemetry
				r.obsrecv.EndLogsOp(ctx, metadata.Type.String(), len(events), <-done)
				return fmt.Errorf("keepalive: %w", writeErr)
			}
		}
	}
}

// keepUndecodable keeps an event that is not a JSON object as its text, tagged.
func keepUndecodable(raw []byte, err error, ld plog.Logs, now pcommon.Timestamp) {
	rec := plog.NewLogRecord()
	rec.SetObservedTimestamp(now)
	rec.Body().SetStr(string(raw))
	rec.Attributes().PutStr(AttrDecodeError, "the event is not a JSON object: "+err.Error())
	appendRecord(ld, pcommon.NewMap(), rec)
}
