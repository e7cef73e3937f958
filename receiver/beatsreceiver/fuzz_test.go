// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"bytes"
	"testing"
)

// FuzzWindowReader: whatever a client sends, the reader returns windows or an error, never
// panics, and holds no more than its limits allow.
func FuzzWindowReader(f *testing.F) {
	f.Add(append(windowHeader(1), jsonFrame(1, []byte(`{"message": "x"}`))...))
	f.Add(windowHeader(1 << 31))
	f.Add(append(windowHeader(2), jsonFrame(1, []byte(`{}`))...))
	f.Add([]byte{'2', 'W', 0, 0, 0, 1, '2', 'C', 0, 0, 0, 9, 0x78, 0x9c, 1, 2, 3})
	f.Add([]byte{'2', 'W', 0, 0, 0, 1, '2', 'J', 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, wire []byte) {
		lim := limits{maxWindow: 64, maxEvent: 4096, maxDecompressed: 64 * 1024}
		w := newWindowReader(bytes.NewReader(wire), lim)
		for {
			n, err := w.readWindowHeader()
			if err != nil {
				return
			}
			if n > lim.maxWindow {
				t.Fatalf("window of %d passed the limit", n)
			}
			if err := w.readWindow(n); err != nil {
				return
			}
			held := 0
			for _, e := range w.events {
				if len(e) > lim.maxEvent {
					t.Fatalf("event of %d bytes passed the limit", len(e))
				}
				held += len(e)
			}
			if len(w.events) != n || int64(held) > lim.maxDecompressed+int64(len(wire)) {
				t.Fatalf("window of %d events holds %d events, %d bytes", n, len(w.events), held)
			}
		}
	})
}
