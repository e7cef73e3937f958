// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"math"
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// exemplar links a point to a contributing record's trace.
type exemplar struct {
	value float64
	trace pcommon.TraceID
	span  pcommon.SpanID
	ts    pcommon.Timestamp
	set   bool
}

func (e exemplar) appendTo(s pmetric.ExemplarSlice) {
	if !e.set {
		return
	}
	x := s.AppendEmpty()
	x.SetDoubleValue(e.value)
	x.SetTimestamp(e.ts)
	x.SetTraceID(e.trace)
	x.SetSpanID(e.span)
}

// moments are what both histogram kinds keep besides their buckets. The exemplar is the
// largest observation of the interval: for latency, the slowest request.
type moments struct {
	sum, count float64
	min, max   float64
	ex         exemplar
}

func newMoments() moments { return moments{min: math.Inf(1), max: math.Inf(-1)} }

func (m *moments) observe(v, weight float64, ex exemplar) {
	m.sum += v * weight
	m.count += weight
	m.min, m.max = math.Min(m.min, v), math.Max(m.max, v)
	if !m.ex.set || v >= m.ex.value {
		m.ex = ex
	}
}

// momentsPoint is what histogram and exponential histogram data points share.
type momentsPoint interface {
	SetSum(float64)
	SetMin(float64)
	SetMax(float64)
	Exemplars() pmetric.ExemplarSlice
}

func (m *moments) emit(dp momentsPoint) {
	dp.SetSum(m.sum)
	if m.count > 0 {
		dp.SetMin(m.min)
		dp.SetMax(m.max)
	}
	m.ex.appendTo(dp.Exemplars())
}

// endInterval follows a flush: exemplars are per interval, and with delta temporality so is
// everything else (reset clears the buckets and the moments).
func (m *moments) endInterval(delta bool, reset func()) {
	m.ex = exemplar{}
	if delta {
		reset()
	}
}

// histogram is an explicit-bounds histogram of weighted observations.
type histogram struct {
	moments
	bounds []float64
	counts []float64
}

func newHistogram(bounds []float64) histogram {
	return histogram{moments: newMoments(), bounds: bounds, counts: make([]float64, len(bounds)+1)}
}

func (h *histogram) add(v, weight float64, ex exemplar) {
	h.counts[sort.SearchFloat64s(h.bounds, v)] += weight // bucket i holds (bounds[i-1], bounds[i]]
	h.observe(v, weight, ex)
}

func (h *histogram) reset() {
	clear(h.counts)
	h.moments = newMoments()
}

func (h *histogram) flush(dp pmetric.HistogramDataPoint, delta bool) {
	h.emit(dp)
	h.endInterval(delta, h.reset)
}

func (h *histogram) emit(dp pmetric.HistogramDataPoint) {
	dp.ExplicitBounds().FromRaw(h.bounds)
	counts := make([]uint64, len(h.counts))
	total := uint64(0)
	for i, c := range h.counts {
		counts[i] = uint64(math.Round(c))
		total += counts[i]
	}
	dp.BucketCounts().FromRaw(counts)
	dp.SetCount(total)
	h.moments.emit(dp)
}

// expHistogram is an exponential histogram with a fixed scale: no rescaling, so values from
// different intervals and collectors land in the same buckets. Observations beyond max_buckets
// above the lowest index are counted in the last bucket.
type expHistogram struct {
	moments
	scale      int32
	maxBuckets int
	counts     map[int32]float64
	zero       float64
}

func newExpHistogram(scale int32, maxBuckets int) expHistogram {
	return expHistogram{moments: newMoments(), scale: scale, maxBuckets: maxBuckets, counts: map[int32]float64{}}
}

// index is the bucket of v > 0: (base^index, base^(index+1)] with base = 2^(2^-scale).
func (h *expHistogram) index(v float64) int32 {
	return int32(math.Ceil(math.Log2(v)*math.Ldexp(1, int(h.scale)))) - 1
}

func (h *expHistogram) add(v, weight float64, ex exemplar) {
	if v <= 0 {
		h.zero += weight
	} else {
		h.counts[h.index(v)] += weight
	}
	h.observe(v, weight, ex)
}

func (h *expHistogram) reset() {
	clear(h.counts)
	h.zero = 0
	h.moments = newMoments()
}

func (h *expHistogram) flush(dp pmetric.ExponentialHistogramDataPoint, delta bool) {
	h.emit(dp)
	h.endInterval(delta, h.reset)
}

func (h *expHistogram) emit(dp pmetric.ExponentialHistogramDataPoint) {
	dp.SetScale(h.scale)
	dp.SetZeroCount(uint64(math.Round(h.zero)))
	total := dp.ZeroCount()
	if len(h.counts) > 0 {
		lo := int32(math.MaxInt32)
		for i := range h.counts {
			lo = min(lo, i)
		}
		buckets := make([]uint64, 0, 16)
		for i, c := range h.counts {
			pos := int(i - lo)
			if pos >= h.maxBuckets {
				pos = h.maxBuckets - 1
			}
			for len(buckets) <= pos {
				buckets = append(buckets, 0)
			}
			buckets[pos] += uint64(math.Round(c))
		}
		for _, b := range buckets {
			total += b
		}
		dp.Positive().SetOffset(lo)
		dp.Positive().BucketCounts().FromRaw(buckets)
	}
	dp.SetCount(total)
	h.moments.emit(dp)
}
