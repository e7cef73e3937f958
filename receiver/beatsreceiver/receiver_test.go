// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	lumber "github.com/elastic/go-lumber/client/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/receiver/beatsreceiver/internal/metadatatest"
)

type running struct {
	addr string
	tel  *componenttest.Telemetry
}

func start(t *testing.T, cfg *Config, next consumer.Logs) *running {
	t.Helper()
	cfg.Endpoint = "127.0.0.1:0"
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	r, err := newReceiver(metadatatest.NewSettings(tel), cfg, next)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	return &running{addr: r.ln.Addr().String(), tel: tel}
}

func (r *running) refused(t *testing.T, reason string) int64 {
	t.Helper()
	m, err := r.tel.GetMetric("otelcol_receiver_beats_windows_refused")
	if err != nil {
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := dp.Attributes.Value("reason"); v.AsString() == reason {
			n += dp.Value
		}
	}
	return n
}

func events(n int, prefix string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"@timestamp": "2026-11-23T11:58:06.671Z", "message": fmt.Sprintf("%s-%d", prefix, i),
			"log": map[string]any{"offset": i, "file": map[string]any{"path": "/var/log/w.log"}}}
	}
	return out
}

func messages(lds []plog.Logs) []string {
	var out []string
	for _, ld := range lds {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			recs := ld.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords()
			for j := 0; j < recs.Len(); j++ {
				out = append(out, recs.At(j).Body().AsString())
			}
		}
	}
	return out
}

// A window is acknowledged once the pipeline accepted every event of it, plain or compressed.
func TestWindowAckedAfterThePipelineAccepted(t *testing.T) {
	for name, level := range map[string]int{"plain": 0, "compressed": 3} {
		t.Run(name, func(t *testing.T) {
			sink := &consumertest.LogsSink{}
			r := start(t, createDefaultConfig(), sink)
			client, err := lumber.SyncDial(r.addr, lumber.CompressionLevel(level), lumber.Timeout(5*time.Second))
			require.NoError(t, err)
			defer func() { _ = client.Close() }()
			n, err := client.Send(events(100, "a"))
			require.NoError(t, err)
			assert.Equal(t, 100, n, "every event acknowledged")
			assert.Len(t, messages(sink.AllLogs()), 100, "and in the pipeline before the ACK")
			n, err = client.Send(events(7, "b"))
			require.NoError(t, err)
			assert.Equal(t, 7, n, "windows follow on one connection")
		})
	}
}

// A refusal (the memory limiter, a downstream outage) is no ACK: the connection closes, the
// client resends the window, and what the pipeline then takes is the whole window.
func TestRefusedWindowIsResent(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	sink := &consumertest.LogsSink{}
	next, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if refuse.Load() {
			return errors.New("memory limiter: data refused")
		}
		return sink.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	r := start(t, createDefaultConfig(), next)
	client, err := lumber.SyncDial(r.addr, lumber.Timeout(5*time.Second))
	require.NoError(t, err)
	_, err = client.Send(events(10, "job"))
	require.Error(t, err, "no ACK for a refused window")
	_ = client.Close()
	assert.Equal(t, int64(1), r.refused(t, "pipeline_error"))

	refuse.Store(false)
	client, err = lumber.SyncDial(r.addr, lumber.Timeout(5*time.Second))
	require.NoError(t, err)
	defer func() { _ = client.Close() }()
	n, err := client.Send(events(10, "job"))
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	assert.Len(t, messages(sink.AllLogs()), 10)
}

// A pipeline slower than the client's timeout: keepalive ACKs (sequence 0) keep the client
// waiting instead of resending.
func TestKeepaliveHoldsASlowWindow(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Keepalive = 100 * time.Millisecond
	next, err := consumer.NewLogs(func(context.Context, plog.Logs) error {
		time.Sleep(1500 * time.Millisecond)
		return nil
	})
	require.NoError(t, err)
	r := start(t, cfg, next)
	client, err := lumber.SyncDial(r.addr, lumber.Timeout(500*time.Millisecond))
	require.NoError(t, err)
	defer func() { _ = client.Close() }()
	n, err := client.Send(events(3, "slow"))
	require.NoError(t, err, "the client's 500 ms timeout did not fire during a 1.5 s window")
	assert.Equal(t, 3, n)
}

func windowHeader(n uint32) []byte {
	b := []byte{'2', 'W', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[2:], n)
	return b
}

func jsonFrame(seq uint32, payload []byte) []byte {
	b := make([]byte, 10, 10+len(payload))
	b[0], b[1] = '2', 'J'
	binary.BigEndian.PutUint32(b[2:], seq)
	binary.BigEndian.PutUint32(b[6:], uint32(len(payload)))
	return append(b, payload...)
}

func compressedFrame(t testing.TB, inner []byte) []byte {
	var z bytes.Buffer
	w, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(inner)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	b := []byte{'2', 'C', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[2:], uint32(z.Len()))
	return append(b, z.Bytes()...)
}

// What a broken or hostile client sends closes its connection without an ACK, counted by
// reason, and the receiver goes on serving others.
func TestViolationsCloseTheConnection(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.MaxWindowSize, cfg.MaxEventSize, cfg.MaxDecompressedSize = 100, 1024, 64*1024
	sink := &consumertest.LogsSink{}
	r := start(t, cfg, sink)
	zeros := make([]byte, 1<<20) // 1 MiB of zeros: ~1 KB compressed
	bomb := bytes.Repeat(jsonFrame(1, zeros[:1000]), 1000)
	for reason, wire := range map[string][]byte{
		reasonWindowSize:    windowHeader(1 << 31),
		reasonEventSize:     append(windowHeader(1), jsonFrame(1, zeros[:4096])...),
		reasonDecompression: append(windowHeader(100), compressedFrame(t, bomb)...),
		reasonProtocol:      []byte("GET / HTTP/1.1\r\n\r\n"),
	} {
		t.Run(reason, func(t *testing.T) {
			conn, err := net.Dial("tcp", r.addr)
			require.NoError(t, err)
			defer func() { _ = conn.Close() }()
			_, _ = conn.Write(wire)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(conn)
			assert.NoError(t, err, "the receiver closed the connection (EOF), it did not wait")
			assert.Empty(t, got, "no ACK")
			assert.Eventually(t, func() bool { return r.refused(t, reason) == 1 }, 5*time.Second, 10*time.Millisecond)
		})
	}
	assert.Zero(t, sink.LogRecordCount())
	client, err := lumber.SyncDial(r.addr, lumber.Timeout(5*time.Second))
	require.NoError(t, err)
	defer func() { _ = client.Close() }()
	n, err := client.Send(events(5, "after"))
	require.NoError(t, err)
	assert.Equal(t, 5, n, "the receiver still serves well-behaved clients")
}

// An event that is not a JSON object is kept as text, tagged, and acknowledged with the rest.
func TestUndecodableEventKeptAndTagged(t *testing.T) {
	sink := &consumertest.LogsSink{}
	r := start(t, createDefaultConfig(), sink)
	conn, err := net.Dial("tcp", r.addr)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	wire := append(windowHeader(2), jsonFrame(1, []byte(`{"message": "fine"}`))...)
	wire = append(wire, jsonFrame(2, []byte(`not json at all`))...)
	_, err = conn.Write(wire)
	require.NoError(t, err)
	ack := make([]byte, 6)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadFull(conn, ack)
	require.NoError(t, err)
	assert.Equal(t, []byte{'2', 'A', 0, 0, 0, 2}, ack)
	require.Equal(t, 2, sink.LogRecordCount())
	recs := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 2, recs.Len(), "both events share the (empty) resource")
	rec := recs.At(1)
	assert.Equal(t, "not json at all", rec.Body().Str())
	_, tagged := rec.Attributes().Get(AttrDecodeError)
	assert.True(t, tagged)
}

// With client_ca_file, a Beat presenting a certificate the CA signed ships; one without a
// certificate is refused at the handshake.
func TestTLSRequiresAClientCertificate(t *testing.T) {
	pki := testutil.WritePKI(t, t.TempDir())
	cfg := createDefaultConfig()
	cfg.TLS = &configtls.ServerConfig{
		Config:       configtls.Config{CertFile: pki.ServerCert, KeyFile: pki.ServerKey},
		ClientCAFile: pki.CAFile,
	}
	sink := &consumertest.LogsSink{}
	r := start(t, cfg, sink)
	dial := func(certs []tls.Certificate) (*lumber.SyncClient, error) {
		return lumber.SyncDialWith(func(network, addr string) (net.Conn, error) {
			return tls.Dial(network, addr, &tls.Config{RootCAs: pki.Roots, ServerName: "127.0.0.1", Certificates: certs, MinVersion: tls.VersionTLS12})
		}, r.addr, lumber.Timeout(5*time.Second))
	}
	client, err := dial([]tls.Certificate{pki.Client})
	require.NoError(t, err)
	n, err := client.Send(events(3, "tls"))
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	_ = client.Close()

	client, err = dial(nil)
	if err == nil {
		_, err = client.Send(events(3, "no-cert"))
		_ = client.Close()
	}
	require.Error(t, err, "a client without a certificate is refused")
	assert.Equal(t, 3, sink.LogRecordCount())
}
