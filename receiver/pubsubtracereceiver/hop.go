// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// maxHopOwners bounds, per subscription, how many traces remember which message owns the
// derived receive span ID.
const maxHopOwners = 65536

// hopOwners gives the derived receive span ID (legacyid.DeriveReceiveSpanID) of a trace on a
// subscription to one message only: the first seen, and that same message again when it is
// redelivered. Later messages of the trace get random span IDs, so no two spans share an ID.
// Entries are forgotten oldest first beyond the bound; a trace forgotten and seen again
// claims the derived ID anew (a duplicate span ID only if both messages' spans are kept).
type hopOwners struct {
	mu    sync.Mutex
	owner map[pcommon.TraceID]string
	order []pcommon.TraceID // ring, oldest at next
	next  int
	bound int
}

func newHopOwners(bound int) *hopOwners {
	return &hopOwners{owner: make(map[pcommon.TraceID]string), bound: bound}
}

// claim reports whether messageID owns the derived span ID of trace, claiming it when free.
func (h *hopOwners) claim(trace pcommon.TraceID, messageID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if owner, ok := h.owner[trace]; ok {
		return owner == messageID
	}
	if len(h.order) < h.bound {
		h.order = append(h.order, trace)
	} else {
		delete(h.owner, h.order[h.next])
		h.order[h.next] = trace
		h.next = (h.next + 1) % h.bound
	}
	h.owner[trace] = messageID
	return true
}
