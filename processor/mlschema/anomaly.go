// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"container/list"
	"math"
	"strings"
	"sync"
)

// ewma is an exponentially weighted mean and variance (West's incremental form).
type ewma struct {
	n              int
	mean, variance float64
}

// observe scores x against the history so far, then adds it. ok is false during warm-up or
// while the history has no spread.
func (e *ewma) observe(x, alpha float64, warmUp int) (z float64, ok bool) {
	if e.n >= warmUp && e.variance > 0 {
		z, ok = (x-e.mean)/math.Sqrt(e.variance), true
	}
	if e.n == 0 {
		e.mean = x
	} else {
		diff := x - e.mean
		incr := alpha * diff
		e.mean += incr
		e.variance = (1 - alpha) * (e.variance + diff*incr)
	}
	e.n++
	return z, ok
}

type seriesKey struct{ model, version, variant string }

type series struct {
	key        seriesKey
	latency    ewma
	confidence ewma
}

// detector keeps one series per (model, version, serving variant), bounded by an LRU.
type detector struct {
	mu        sync.Mutex
	cfg       AnomalyConfig
	series    map[seriesKey]*list.Element
	order     *list.List // front: most recently seen
	evictions int64
}

func newDetector(cfg AnomalyConfig) *detector {
	return &detector{cfg: cfg, series: map[seriesKey]*list.Element{}, order: list.New()}
}

// scores are one record's z-scores; a zero ok means "not scored".
type scores struct {
	latencyZ, confidenceZ   float64
	latencyOK, confidenceOK bool
}

func (d *detector) observe(key seriesKey, latency float64, hasLatency bool, confidence float64, hasConfidence bool) scores {
	d.mu.Lock()
	defer d.mu.Unlock()
	el, ok := d.series[key]
	if !ok {
		if d.order.Len() >= d.cfg.MaxSeries {
			oldest := d.order.Back()
			delete(d.series, oldest.Value.(*series).key)
			d.order.Remove(oldest)
			d.evictions++
		}
		// The key's strings point into pdata; clone them so the series outlives the batch.
		key = seriesKey{strings.Clone(key.model), strings.Clone(key.version), strings.Clone(key.variant)}
		el = d.order.PushFront(&series{key: key})
		d.series[key] = el
	} else {
		d.order.MoveToFront(el)
	}
	s := el.Value.(*series)
	var out scores
	if hasLatency {
		out.latencyZ, out.latencyOK = s.latency.observe(latency, d.cfg.Alpha, d.cfg.WarmUp)
	}
	if hasConfidence {
		out.confidenceZ, out.confidenceOK = s.confidence.observe(confidence, d.cfg.Alpha, d.cfg.WarmUp)
	}
	return out
}

func (d *detector) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}

// reset forgets every series: the processor's Shutdown releases what the detector learned.
func (d *detector) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.series)
	d.order.Init()
}
