// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"encoding/binary"
	"hash/fnv"
	"math"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// alwaysKept are the tags that exempt a record from sampling.
var alwaysKept = []string{schema.TagInvalidSchema, schema.TagInvalidJSON, schema.TagHighLatency, schema.TagAnomalous}

// sample decides whether an ordinary record is kept. The decision hangs on the trace ID (its
// last 8 bytes, the random part of a W3C trace ID), so every service and every collector
// keeps or drops the same traces; without a trace ID, on request_id; without either, the
// record is kept. Kept records carry ml.sampling.weight for re-weighting counts.
func (p *mlSchemaProcessor) sample(rec plog.LogRecord, v *view) bool {
	weight := 1.0
	if !p.mustKeep(rec, v) {
		key, ok := samplingKey(rec, v)
		if ok {
			if key >= p.samplingBound {
				return false
			}
			weight = 1 / p.cfg.Sampling.Fraction
		}
	}
	v.set(schema.FieldSamplingWeight).SetDouble(weight)
	return true
}

func (p *mlSchemaProcessor) mustKeep(rec plog.LogRecord, v *view) bool {
	if rec.SeverityNumber() >= plog.SeverityNumberError {
		return true
	}
	for _, tag := range alwaysKept {
		if v.hasTag(tag) {
			return true
		}
	}
	return false
}

func samplingKey(rec plog.LogRecord, v *view) (uint64, bool) {
	if tid := rec.TraceID(); !tid.IsEmpty() {
		return binary.BigEndian.Uint64(tid[8:]), true
	}
	if id := v.Str(schema.FieldRequestID); id != "" {
		h := fnv.New64a()
		_, _ = h.Write([]byte(id))
		return h.Sum64(), true
	}
	return 0, false
}

// boundFor turns a fraction into the key bound below which records are kept.
func boundFor(fraction float64) uint64 {
	if fraction >= 1 {
		return math.MaxUint64
	}
	return uint64(fraction * float64(math.MaxUint64))
}
