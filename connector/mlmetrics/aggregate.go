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

// histogram is an explicit-bounds histogram of weighted observations. Its exemplar is the
// largest observation of the interval: for latency, the slowest request.
type histogram struct {
	bounds     []float64
	counts     []float64
	sum, count float64
	min, max   float64
	ex         exemplar
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, counts: make([]float64, len(bounds)+1), min: math.Inf(1), max: math.Inf(-1)}
}

func (h *histogram) add(v, weight float64, ex exemplar) {
	h.counts[sort.SearchFloat64s(h.bounds, v)] += weight // bucket i holds (bounds[i-1], bounds[i]]
	h.sum += v * weight
	h.count += weight
	h.min, h.max = math.Min(h.min, v), math.Max(h.max, v)
	if !h.ex.set || v >= h.ex.value {
		h.ex = ex
	}
}

func (h *histogram) reset() {
	clear(h.counts)
	h.sum, h.count, h.min, h.max = 0, 0, math.Inf(1), math.Inf(-1)
	h.ex = exemplar{}
}

// flush writes the point; exemplars are per interval, and with delta temporality so is the rest.
func (h *histogram) flush(dp pmetric.HistogramDataPoint, delta bool) {
	h.emit(dp)
	h.ex = exemplar{}
	if delta {
		h.reset()
	}
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
	dp.SetSum(h.sum)
	if h.count > 0 {
		dp.SetMin(h.min)
		dp.SetMax(h.max)
	}
	h.ex.appendTo(dp.Exemplars())
}

// expHistogram is an exponential histogram with a fixed scale: no rescaling, so values from
// different intervals and collectors land in the same buckets. Observations beyond max_buckets
// above the lowest index are counted in the last bucket.
type expHistogram struct {
	scale      int32
	maxBuckets int
	counts     map[int32]float64
	zero       float64
	sum, count float64
	min, max   float64
	ex         exemplar
}

func newExpHistogram(scale int32, maxBuckets int) expHistogram {
	return expHistogram{scale: scale, maxBuckets: maxBuckets, counts: map[int32]float64{}, min: math.Inf(1), max: math.Inf(-1)}
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
	h.sum += v * weight
	h.count += weight
	h.min, h.max = math.Min(h.min, v), math.Max(h.max, v)
	if !h.ex.set || v >= h.ex.value {
		h.ex = ex
	}
}

func (h *expHistogram) reset() {
	clear(h.counts)
	h.zero, h.sum, h.count, h.min, h.max = 0, 0, 0, math.Inf(1), math.Inf(-1)
	h.ex = exemplar{}
}

// flush writes the point; exemplars are per interval, and with delta temporality so is the rest.
func (h *expHistogram) flush(dp pmetric.ExponentialHistogramDataPoint, delta bool) {
	h.emit(dp)
	h.ex = exemplar{}
	if delta {
		h.reset()
	}
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
	dp.SetSum(h.sum)
	if h.count > 0 {
		dp.SetMin(h.min)
		dp.SetMax(h.max)
	}
	h.ex.appendTo(dp.Exemplars())
}
