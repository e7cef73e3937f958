// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"github.com/otelcol-mlops/otelcol-mlops/connector/mlmetrics/internal/metadata"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Metric names.
const (
	MetricRequests     = "ml.inference.requests"
	MetricLatency      = "ml.inference.latency"
	MetricConfidence   = "ml.inference.confidence"
	MetricLookups      = "ml.feature_store.lookups"
	MetricCacheHits    = "ml.feature_store.cache_hits"
	MetricDrift        = "ml.model.drift_score"
	MetricTrainingLoss = "ml.training.loss"
	MetricTrainingAcc  = "ml.training.accuracy"
	attrOutcome        = "outcome"
)

type metricSet struct {
	requests, latency, confidence, lookups, hits, drift pmetric.Metric
}

func (c *mlMetrics) buildLocked() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName(metadata.ScopeName)
	ms := sm.Metrics()
	now := pcommon.NewTimestampFromTime(c.now())
	temporality := pmetric.AggregationTemporalityCumulative
	if c.cfg.Temporality == Delta {
		temporality = pmetric.AggregationTemporalityDelta
	}
	sum := func(name, unit, desc string) pmetric.Metric {
		m := ms.AppendEmpty()
		m.SetName(name)
		m.SetUnit(unit)
		m.SetDescription(desc)
		m.SetEmptySum().SetIsMonotonic(true)
		m.Sum().SetAggregationTemporality(temporality)
		return m
	}
	var set metricSet
	set.requests = sum(MetricRequests, "{requests}", "Inference requests by outcome (ok, error, invalid_schema, high_latency, anomalous), re-weighted by ml.sampling.weight.")
	set.latency = ms.AppendEmpty()
	set.latency.SetName(MetricLatency)
	set.latency.SetUnit("ms")
	set.latency.SetDescription("Inference latency; the exemplar is the slowest request of the interval.")
	if c.cfg.ExponentialLatency.Enabled {
		set.latency.SetEmptyExponentialHistogram().SetAggregationTemporality(temporality)
	} else {
		set.latency.SetEmptyHistogram().SetAggregationTemporality(temporality)
	}
	set.confidence = ms.AppendEmpty()
	set.confidence.SetName(MetricConfidence)
	set.confidence.SetUnit("1")
	set.confidence.SetDescription("Mean confidence of each inference (output.mean_confidence).")
	set.confidence.SetEmptyHistogram().SetAggregationTemporality(temporality)
	set.lookups = sum(MetricLookups, "{lookups}", "Feature-store lookups (input_features.cache_hit present).")
	set.hits = sum(MetricCacheHits, "{hits}", "Feature-store cache hits.")
	set.drift = ms.AppendEmpty()
	set.drift.SetName(MetricDrift)
	set.drift.SetUnit("1")
	set.drift.SetDescription("Last anomaly_signals.drift_score reported per series.")
	set.drift.SetEmptyGauge()

	for _, s := range c.inference {
		start := s.start
		if temporality == pmetric.AggregationTemporalityDelta {
			start = c.lastFlush
		}
		c.emitInference(&set, s, start, now)
	}
	c.emitTraining(ms, now)
	c.lastFlush = now
	removeEmpty(ms)
	return md
}

func (c *mlMetrics) emitInference(set *metricSet, s *inferenceSeries, start, now pcommon.Timestamp) {
	delta := c.cfg.Temporality == Delta
	point := func(dp pmetric.NumberDataPoint) {
		s.attrs.CopyTo(dp.Attributes())
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(now)
	}
	for o, n := range s.requests {
		if n == 0 && (delta || o != outcomeOK) {
			continue // an outcome never seen is not a series yet
		}
		dp := set.requests.Sum().DataPoints().AppendEmpty()
		point(dp)
		dp.Attributes().PutStr(attrOutcome, outcomes[o])
		dp.SetDoubleValue(n)
		s.requestEx[o].appendTo(dp.Exemplars())
		s.requestEx[o] = exemplar{}
		if delta {
			s.requests[o] = 0
		}
	}
	if s.latencyExp.count > 0 {
		dp := set.latency.ExponentialHistogram().DataPoints().AppendEmpty()
		s.attrs.CopyTo(dp.Attributes())
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(now)
		s.latencyExp.flush(dp, delta)
	}
	for _, h := range []struct {
		hist   *histogram
		metric pmetric.Metric
	}{{&s.latency, set.latency}, {&s.confidence, set.confidence}} {
		if h.hist.count == 0 {
			continue
		}
		dp := h.metric.Histogram().DataPoints().AppendEmpty()
		s.attrs.CopyTo(dp.Attributes())
		dp.SetStartTimestamp(start)
		dp.SetTimestamp(now)
		h.hist.flush(dp, delta)
	}
	if s.lookups > 0 {
		l := set.lookups.Sum().DataPoints().AppendEmpty()
		point(l)
		l.SetDoubleValue(s.lookups)
		h := set.hits.Sum().DataPoints().AppendEmpty()
		point(h)
		h.SetDoubleValue(s.hits)
		s.cacheEx.appendTo(h.Exemplars())
		s.cacheEx = exemplar{}
		if delta {
			s.lookups, s.hits = 0, 0
		}
	}
	if s.driftSet {
		appendGaugePoint(set.drift, s.attrs, now, s.drift, s.driftEx)
		s.driftEx = exemplar{}
	}
}

func (c *mlMetrics) emitTraining(ms pmetric.MetricSlice, now pcommon.Timestamp) {
	if len(c.training) == 0 {
		return
	}
	gauge := func(name, desc string) pmetric.Metric {
		m := ms.AppendEmpty()
		m.SetName(name)
		m.SetUnit("1")
		m.SetDescription(desc)
		m.SetEmptyGauge()
		return m
	}
	loss := gauge(MetricTrainingLoss, "Last training loss per experiment, model and epoch.")
	acc := gauge(MetricTrainingAcc, "Last evaluation accuracy per experiment, model and epoch.")
	for key, s := range c.training {
		ts := s.ts
		if ts == 0 {
			ts = now
		}
		if s.hasLoss {
			appendGaugePoint(loss, s.attrs, ts, s.loss, s.lossEx)
		}
		if s.hasAcc {
			appendGaugePoint(acc, s.attrs, ts, s.accuracy, s.accuracyEx)
		}
		// A gauge is reported once per new value: epochs end, and their series with them.
		delete(c.training, key)
	}
}

// removeEmpty drops metrics that got no data point this interval.
func removeEmpty(ms pmetric.MetricSlice) {
	ms.RemoveIf(func(m pmetric.Metric) bool {
		switch m.Type() {
		case pmetric.MetricTypeSum:
			return m.Sum().DataPoints().Len() == 0
		case pmetric.MetricTypeGauge:
			return m.Gauge().DataPoints().Len() == 0
		case pmetric.MetricTypeHistogram:
			return m.Histogram().DataPoints().Len() == 0
		case pmetric.MetricTypeExponentialHistogram:
			return m.ExponentialHistogram().DataPoints().Len() == 0
		}
		return false
	})
}

// appendGaugePoint adds one data point with its series' attributes and exemplar to a gauge.
func appendGaugePoint(m pmetric.Metric, attrs pcommon.Map, ts pcommon.Timestamp, value float64, ex exemplar) {
	dp := m.Gauge().DataPoints().AppendEmpty()
	attrs.CopyTo(dp.Attributes())
	dp.SetTimestamp(ts)
	dp.SetDoubleValue(value)
	ex.appendTo(dp.Exemplars())
}
