// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package groupedlbexporter

import (
	"encoding/binary"
	"hash/crc32"
	"sort"
)

// The ring places each endpoint at pointsPerEndpoint positions of a circle of ringSize, and a
// key at crc32(key) mod ringSize; the key belongs to the first endpoint at or after it. The
// constants and the placement are those of contrib's loadbalancing exporter (v0.152.0), so a
// trace's logs (routed here) and its spans (routed by loadbalancing) reach the same gateway
// when both see the same endpoints.
const (
	ringSize          = 36000
	pointsPerEndpoint = 100
	probeLimit        = 10
)

type ringPoint struct {
	pos      uint32
	endpoint string
}

type ring struct {
	points    []ringPoint
	endpoints []string // sorted
}

func newRing(endpoints []string) *ring {
	sorted := append([]string(nil), endpoints...)
	sort.Strings(sorted)
	r := &ring{endpoints: sorted}
	taken := map[uint32]bool{}
	var idx [4]byte
	for _, ep := range sorted {
		for i := range pointsPerEndpoint {
			h := crc32.NewIEEE()
			binary.LittleEndian.PutUint32(idx[:], uint32(i))
			_, _ = h.Write([]byte(ep))
			_, _ = h.Write(idx[:])
			pos := h.Sum32() % ringSize
			// A taken position moves to the next free one, a few steps at most.
			probes := 0
			for taken[pos] && probes < probeLimit {
				pos = (pos + 1) % ringSize
				probes++
			}
			if probes >= probeLimit {
				continue
			}
			taken[pos] = true
			r.points = append(r.points, ringPoint{pos, ep})
		}
	}
	sort.Slice(r.points, func(a, b int) bool { return r.points[a].pos < r.points[b].pos })
	return r
}

// endpointFor is the endpoint a key (a trace ID) belongs to.
func (r *ring) endpointFor(key []byte) string {
	if len(r.points) == 0 {
		return ""
	}
	pos := crc32.ChecksumIEEE(key) % ringSize
	i := sort.Search(len(r.points), func(i int) bool { return r.points[i].pos >= pos })
	if i == len(r.points) {
		i = 0
	}
	return r.points[i].endpoint
}
