// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package grpcsnappy replaces the gRPC "snappy" compressor that the collector's configgrpc
// registers with one that is safe under concurrent streams. Import it for its side effect,
// in the binary and in any process that receives snappy from an agent.
//
// The collector's own compressor (v0.152.0) pools its reader and writer and returns them to
// the pool from inside a sync.Once that the next user of the pooled value resets: two
// concurrent messages can then race on the Once (a data race, and a possible "unlock of
// unlocked mutex" fatal error in a gateway). Here each message gets a small wrapper of its
// own; only the snappy reader and writer, with their buffers, are pooled, and a wrapper
// gives its reader or writer back exactly once, from the goroutine that used it.
package grpcsnappy // import "github.com/otelcol-mlops/otelcol-mlops/internal/grpcsnappy"

import (
	"io"
	"sync"

	snappylib "github.com/golang/snappy"
	// The collector's registration runs first (package initialisation follows imports), so
	// the one below replaces it rather than being skipped.
	_ "go.opentelemetry.io/collector/config/configgrpc"
	"google.golang.org/grpc/encoding"
)

// Name is the gRPC content-coding, the same as the collector's configgrpc uses.
const Name = "snappy"

func init() {
	encoding.RegisterCompressor(newCompressor())
}

type compressor struct {
	writers sync.Pool
	readers sync.Pool
}

func newCompressor() *compressor {
	c := &compressor{}
	c.writers.New = func() any { return snappylib.NewBufferedWriter(io.Discard) }
	c.readers.New = func() any { return snappylib.NewReader(nil) }
	return c
}

func (c *compressor) Name() string { return Name }

func (c *compressor) Compress(w io.Writer) (io.WriteCloser, error) {
	sw := c.writers.Get().(*snappylib.Writer)
	sw.Reset(w)
	return &writer{w: sw, pool: &c.writers}, nil
}

func (c *compressor) Decompress(r io.Reader) (io.Reader, error) {
	sr := c.readers.Get().(*snappylib.Reader)
	sr.Reset(r)
	return &reader{r: sr, pool: &c.readers}, nil
}

// writer is one message's compressing writer.
type writer struct {
	w    *snappylib.Writer
	pool *sync.Pool
}

func (z *writer) Write(p []byte) (int, error) {
	if z.w == nil {
		return 0, io.ErrClosedPipe
	}
	return z.w.Write(p)
}

// Close flushes the message and returns the snappy writer to the pool; a second Close is a
// no-op.
func (z *writer) Close() error {
	if z.w == nil {
		return nil
	}
	err := z.w.Close()
	z.w.Reset(io.Discard) // drop the reference to the message's buffer
	z.pool.Put(z.w)
	z.w = nil
	return err
}

// reader is one message's decompressing reader. At the first error (io.EOF at the end of the
// message) it returns the snappy reader to the pool and keeps answering with that error.
type reader struct {
	r    *snappylib.Reader
	pool *sync.Pool
	err  error
}

func (z *reader) Read(p []byte) (int, error) {
	if z.r == nil {
		return 0, z.err
	}
	n, err := z.r.Read(p)
	if err != nil {
		z.err = err
		z.r.Reset(nil)
		z.pool.Put(z.r)
		z.r = nil
	}
	return n, err
}
