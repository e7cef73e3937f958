// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package grpcsnappy

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/encoding"
)

func TestReplacesTheCollectorsSnappy(t *testing.T) {
	_, ours := encoding.GetCompressor(Name).(*compressor)
	assert.True(t, ours, "the registered snappy compressor is this package's")
}

func roundTrip(t testing.TB, c encoding.Compressor, payload []byte) []byte {
	var buf bytes.Buffer
	w, err := c.Compress(&buf)
	require.NoError(t, err)
	_, err = w.Write(payload)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "a second Close is harmless")

	r, err := c.Decompress(&buf)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	// gRPC may read again after the end of a message; the reader must not touch the pooled
	// snappy reader another message now owns.
	n, err := r.Read(make([]byte, 8))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
	return got
}

func TestRoundTrip(t *testing.T) {
	for _, payload := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte(`{"level":"INFO","trace_id":"job-1"}`), 5000)} {
		got := roundTrip(t, encoding.GetCompressor(Name), payload)
		assert.Equal(t, len(payload), len(got))
		assert.True(t, bytes.Equal(payload, got))
	}
}

// Concurrent streams share the pools: run under -race, this is the test the collector's own
// compressor fails (its pooled reader resets a sync.Once another goroutine is still inside).
func TestConcurrentMessagesKeepTheirOwnBytes(t *testing.T) {
	c := encoding.GetCompressor(Name)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				payload := bytes.Repeat([]byte(fmt.Sprintf("stream %d message %d;", g, i)), 1+i%300)
				got := roundTrip(t, c, payload)
				if !bytes.Equal(payload, got) {
					t.Errorf("stream %d message %d came back different", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCorruptInputIsAnError(t *testing.T) {
	r, err := encoding.GetCompressor(Name).Decompress(bytes.NewReader([]byte("not snappy at all")))
	require.NoError(t, err)
	_, err = io.ReadAll(r)
	require.Error(t, err)
	_, again := r.Read(make([]byte, 1))
	assert.Equal(t, err, again)
}

func BenchmarkRoundTrip(b *testing.B) {
	c := encoding.GetCompressor(Name)
	payload := bytes.Repeat([]byte(`{"level":"INFO","trace_id":"job-1","message":"step done"}`), 2000)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		roundTrip(b, c, payload)
	}
}
