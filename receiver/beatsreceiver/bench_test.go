// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/confignet"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

const benchWindow = 2048 // Filebeat's default bulk_max_size

// seedEvents are Filebeat events of the seed's worker (container input, JSON under root).
func seedEvents() []any {
	out := make([]any, benchWindow)
	for i := range out {
		out[i] = map[string]any{
			"@timestamp": "2026-11-23T11:58:06.671Z", "@metadata": map[string]any{"beat": "filebeat", "version": "7.17.28"},
			"log":   map[string]any{"offset": i * 180, "file": map[string]any{"path": "/var/log/containers/gpu-worker-1_ml_worker.log"}},
			"input": map[string]any{"type": "container"}, "stream": "stdout", "host": map[string]any{"name": "gpu-node-1"},
			"agent":     map[string]any{"type": "filebeat", "version": "7.17.28"},
			"timestamp": "2026-11-23T11:58:06.671Z", "level": "INFO", "service": "ml-worker", "worker_id": "gpu-worker-1",
			"message": fmt.Sprintf("epoch %d done", i), "trace_id": fmt.Sprintf("d7012cc0-d14d-49e9-b9e8-%012x", i/12),
		}
	}
	return out
}

// BenchmarkReceive sends the same windows of seed events through this receiver, as Filebeat
// encodes them, and through core's OTLP/gRPC receiver as the records they become — the floor
// of receiving the same work. ns/op is per window of 2048 events; ns/event per event.
func BenchmarkReceive(b *testing.B) {
	events := seedEvents()
	b.Run("beats", func(b *testing.B) {
		// The window as Filebeat writes it (JSON frames, zlib level 3 as Beats' default), encoded
		// once: what is measured is the receiver, not a client.
		var frames []byte
		for i, e := range events {
			raw, err := json.Marshal(e)
			require.NoError(b, err)
			frames = append(frames, jsonFrame(uint32(i+1), raw)...)
		}
		wire := append(windowHeader(benchWindow), compressedFrame(b, frames)...)
		cfg := createDefaultConfig()
		cfg.Endpoint = "127.0.0.1:0"
		r, err := newReceiver(receivertest.NewNopSettings(NewFactory().Type()), cfg, consumertest.NewNop())
		require.NoError(b, err)
		require.NoError(b, r.Start(context.Background(), componenttest.NewNopHost()))
		defer func() { require.NoError(b, r.Shutdown(context.Background())) }()
		conn, err := net.Dial("tcp", r.ln.Addr().String())
		require.NoError(b, err)
		defer func() { _ = conn.Close() }()
		ack := make([]byte, 6)
		b.ReportAllocs()
		b.SetBytes(int64(len(frames)))
		for b.Loop() {
			if _, err := conn.Write(wire); err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := io.ReadFull(conn, ack); err != nil {
					b.Fatal(err)
				}
				if binary.BigEndian.Uint32(ack[2:]) == benchWindow {
					break
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchWindow), "ns/event")
	})
	b.Run("otlp_floor", func(b *testing.B) {
		ld := plog.NewLogs()
		for _, e := range events {
			raw, err := json.Marshal(e)
			require.NoError(b, err)
			require.NoError(b, decodeEvent(raw, ld, 1))
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(b, err)
		addr := ln.Addr().String()
		require.NoError(b, ln.Close())
		f := otlpreceiver.NewFactory()
		cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
		cfg.Protocols.GRPC = configoptional.Some(configgrpc.ServerConfig{NetAddr: confignet.AddrConfig{Endpoint: addr, Transport: confignet.TransportTypeTCP}})
		cfg.Protocols.HTTP = configoptional.None[otlpreceiver.HTTPConfig]()
		rcv, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
		require.NoError(b, err)
		require.NoError(b, rcv.Start(context.Background(), componenttest.NewNopHost()))
		defer func() { require.NoError(b, rcv.Shutdown(context.Background())) }()
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		require.NoError(b, err)
		defer func() { _ = conn.Close() }()
		client := plogotlp.NewGRPCClient(conn)
		req := plogotlp.NewExportRequestFromLogs(ld)
		raw, err := req.MarshalProto()
		require.NoError(b, err)
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := client.Export(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchWindow), "ns/event")
	})
}
