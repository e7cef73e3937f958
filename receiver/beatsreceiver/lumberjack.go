// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Lumberjack v2, the protocol of Filebeat's (and every Beat's) output.logstash: the client
// announces a window of N events, sends them as JSON frames (each numbered 1..N), possibly
// inside zlib-compressed frames, and waits for the server's ACK of the last number. An ACK of
// a lower number (0 included) tells the client the window is still being processed.
const (
	protocolVersion = '2'
	frameWindow     = 'W'
	frameJSON       = 'J'
	frameCompressed = 'C'
	frameACK        = 'A'
)

// limitError is a protocol violation against a configured limit, named by reason for the
// receiver's telemetry; the connection is closed without an ACK.
type limitError struct {
	reason string
	msg    string
}

func (e *limitError) Error() string { return e.msg }

// Reasons a connection is closed for a protocol violation.
const (
	reasonProtocol      = "protocol"
	reasonWindowSize    = "window_size"
	reasonEventSize     = "event_size"
	reasonDecompression = "decompressed_size"
)

func violation(reason, format string, args ...any) error {
	return &limitError{reason: reason, msg: fmt.Sprintf(format, args...)}
}

// limits bound what one connection may make the receiver hold.
type limits struct {
	maxWindow       int
	maxEvent        int
	maxDecompressed int64
}

// windowReader reads windows of events from one connection.
type windowReader struct {
	in     *bufio.Reader
	limits limits
	// events are the current window's JSON payloads; their bytes are reused across windows.
	events [][]byte
	// seq is the sequence number of the last event read in the current window.
	seq uint32
}

func newWindowReader(r io.Reader, l limits) *windowReader {
	return &windowReader{in: bufio.NewReaderSize(r, 64*1024), limits: l}
}

// readWindowHeader reads the next window's size; io.EOF at a window boundary is a clean end.
func (w *windowReader) readWindowHeader() (int, error) {
	var hdr [6]byte
	if _, err := io.ReadFull(w.in, hdr[:2]); err != nil {
		return 0, err
	}
	if hdr[0] != protocolVersion || hdr[1] != frameWindow {
		return 0, violation(reasonProtocol, "expected a Lumberjack v2 window frame (2W), got %q", hdr[:2])
	}
	if _, err := io.ReadFull(w.in, hdr[2:]); err != nil {
		return 0, unexpectedEOF(err)
	}
	n := binary.BigEndian.Uint32(hdr[2:])
	if n > uint32(w.limits.maxWindow) {
		return 0, violation(reasonWindowSize, "window of %d events is above max_window_size (%d)", n, w.limits.maxWindow)
	}
	return int(n), nil
}

// readWindow reads a whole window of n events into w.events.
func (w *windowReader) readWindow(n int) error {
	w.events = w.events[:0]
	budget := w.limits.maxDecompressed
	for len(w.events) < n {
		if err := w.readFrame(w.in, n, &budget); err != nil {
			return err
		}
	}
	return nil
}

// readFrame reads one frame: a JSON event, or a compressed frame holding frames. budget is
// what decompression may still produce for this window.
func (w *windowReader) readFrame(in io.Reader, n int, budget *int64) error {
	var hdr [2]byte
	if _, err := io.ReadFull(in, hdr[:]); err != nil {
		return unexpectedEOF(err)
	}
	if hdr[0] != protocolVersion {
		return violation(reasonProtocol, "frame of protocol version %q, not 2", hdr[0])
	}
	switch hdr[1] {
	case frameJSON:
		return w.readJSON(in, n)
	case frameCompressed:
		return w.readCompressed(in, n, budget)
	default:
		return violation(reasonProtocol, "unknown frame type %q", hdr[1])
	}
}

func (w *windowReader) readJSON(in io.Reader, n int) error {
	if len(w.events) >= n {
		return violation(reasonProtocol, "more events than the window of %d announced", n)
	}
	var hdr [8]byte
	if _, err := io.ReadFull(in, hdr[:]); err != nil {
		return unexpectedEOF(err)
	}
	w.seq = binary.BigEndian.Uint32(hdr[:4])
	size := binary.BigEndian.Uint32(hdr[4:])
	if size > uint32(w.limits.maxEvent) {
		return violation(reasonEventSize, "event of %d bytes is above max_event_size (%d)", size, w.limits.maxEvent)
	}
	buf := w.nextBuffer(int(size))
	if _, err := io.ReadFull(in, buf); err != nil {
		return unexpectedEOF(err)
	}
	w.events = append(w.events, buf)
	return nil
}

// nextBuffer returns a buffer of size bytes for the next event, reusing the slot's bytes.
func (w *windowReader) nextBuffer(size int) []byte {
	i := len(w.events)
	if i < cap(w.events) {
		if b := w.events[:i+1][i]; cap(b) >= size {
			return b[:size]
		}
	}
	return make([]byte, size)
}

func (w *windowReader) readCompressed(in io.Reader, n int, budget *int64) error {
	var hdr [4]byte
	if _, err := io.ReadFull(in, hdr[:]); err != nil {
		return unexpectedEOF(err)
	}
	size := binary.BigEndian.Uint32(hdr[:])
	if int64(size) > *budget {
		return violation(reasonDecompression, "compressed frame of %d bytes is above max_decompressed_size (%d)", size, w.limits.maxDecompressed)
	}
	// Streamed, not buffered: a client that announces a large frame and stalls holds no memory.
	frame := &io.LimitedReader{R: in, N: int64(size)}
	z, err := zlib.NewReader(frame)
	if err != nil {
		return compressedError(err)
	}
	defer func() { _ = z.Close() }()
	// What the frame decompresses to counts against the window's budget: a compression bomb
	// stops at the limit instead of filling memory.
	limited := &budgetReader{r: z, budget: budget}
	inner := bufio.NewReader(limited)
	for {
		if _, err := inner.Peek(1); err != nil {
			if limited.exceeded {
				return violation(reasonDecompression, "compressed frames decompress to more than max_decompressed_size (%d) in one window", w.limits.maxDecompressed)
			}
			if errors.Is(err, io.EOF) {
				if frame.N > 0 { // bytes after the zlib stream's end, inside the frame
					if _, err := io.Copy(io.Discard, frame); err != nil {
						return unexpectedEOF(err)
					}
				}
				return nil
			}
			return compressedError(err)
		}
		if err := w.readFrame(inner, n, budget); err != nil {
			if limited.exceeded {
				return violation(reasonDecompression, "compressed frames decompress to more than max_decompressed_size (%d) in one window", w.limits.maxDecompressed)
			}
			return err
		}
	}
}

// compressedError tells a connection that ended inside a compressed frame from a frame that
// is no zlib stream.
func compressedError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return violation(reasonProtocol, "compressed frame: %v", err)
}

// budgetReader reads until budget bytes were produced, then reports EOF and exceeded.
type budgetReader struct {
	r        io.Reader
	budget   *int64
	exceeded bool
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.budget <= 0 {
		// one byte more tells a stream that ends here from one that goes on
		var one [1]byte
		if n, _ := b.r.Read(one[:]); n > 0 {
			b.exceeded = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > *b.budget {
		p = p[:*b.budget]
	}
	n, err := b.r.Read(p)
	*b.budget -= int64(n)
	return n, err
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writeACK tells the client every event up to seq is held (seq 0: still working).
func writeACK(w io.Writer, seq uint32) error {
	var b [6]byte
	b[0], b[1] = protocolVersion, frameACK
	binary.BigEndian.PutUint32(b[2:], seq)
	_, err := w.Write(b[:])
	return err
}
