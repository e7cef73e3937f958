// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/otelcol-mlops/otelcol-mlops/internal/grpcsnappy" // snappy (the shipped agent) and zstd, decompressed as the gateway does
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // the OTLP exporter compresses by default
)

// sink is the fast OTLP receiver at the end of the pipeline: it counts what arrives and, from
// the send time the generator stamps on each batch's resource, the end-to-end latency.
type sink struct {
	plogotlp.UnimplementedGRPCServer
	addr       string
	srv        *grpc.Server
	logRecords atomic.Int64
	last       atomic.Int64
	mu         sync.Mutex
	latencies  []time.Duration
}

type traceSink struct {
	ptraceotlp.UnimplementedGRPCServer
	s *sink
}

type metricSink struct {
	pmetricotlp.UnimplementedGRPCServer
}

func startSink() (*sink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{addr: l.Addr().String(), srv: grpc.NewServer(grpc.MaxRecvMsgSize(64 << 20))}
	plogotlp.RegisterGRPCServer(s.srv, s)
	ptraceotlp.RegisterGRPCServer(s.srv, &traceSink{s: s})
	pmetricotlp.RegisterGRPCServer(s.srv, &metricSink{})
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *sink) stop() { s.srv.Stop() }

func (s *sink) reset() {
	s.logRecords.Store(0)
	s.mu.Lock()
	s.latencies = s.latencies[:0]
	s.mu.Unlock()
}

func (s *sink) observe(resource pcommon.Map) {
	s.last.Store(time.Now().UnixNano())
	if v, ok := resource.Get(sentAtAttr); ok {
		s.mu.Lock()
		s.latencies = append(s.latencies, time.Since(time.Unix(0, v.Int())))
		s.mu.Unlock()
	}
}

func (s *sink) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	ld := req.Logs()
	s.logRecords.Add(int64(ld.LogRecordCount()))
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		s.observe(ld.ResourceLogs().At(i).Resource().Attributes())
	}
	return plogotlp.NewExportResponse(), nil
}

func (t *traceSink) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	t.s.last.Store(time.Now().UnixNano())
	return ptraceotlp.NewExportResponse(), nil
}

func (m *metricSink) Export(context.Context, pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	return pmetricotlp.NewExportResponse(), nil
}

// waitQuiet waits until nothing arrived for quiet, so in-flight batches are counted.
func (s *sink) waitQuiet(quiet time.Duration) {
	for time.Since(time.Unix(0, s.last.Load())) < quiet {
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *sink) p99() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.latencies) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), s.latencies...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	return float64(sorted[len(sorted)*99/100].Microseconds()) / 1000
}
