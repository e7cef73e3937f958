// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"context"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-mlops/otelcol-mlops/connector/mlmetrics/internal/metadata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/periodic"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Outcomes of an inference request. ok means none of the others; the others are not
// exclusive (a slow request can also be anomalous), so they do not sum to the total.
var outcomes = [...]string{"ok", "error", "invalid_schema", "high_latency", "anomalous"}

const (
	outcomeOK = iota
	outcomeError
	outcomeInvalid
	outcomeSlow
	outcomeAnomalous
)

const (
	overflowKey      = "\x00overflow"
	attrOverflow     = "otel.metric.overflow"
	inferenceErrorET = "inference_error"
)

type inferenceSeries struct {
	attrs      pcommon.Map
	start      pcommon.Timestamp
	requests   [len(outcomes)]float64
	requestEx  [len(outcomes)]exemplar
	latency    histogram
	latencyExp expHistogram
	confidence histogram
	lookups    float64
	hits       float64
	cacheEx    exemplar
	drift      float64
	driftSet   bool
	driftEx    exemplar
}

type trainingSeries struct {
	attrs              pcommon.Map
	loss, accuracy     float64
	hasLoss, hasAcc    bool
	ts                 pcommon.Timestamp
	lossEx, accuracyEx exemplar
}

type mlMetrics struct {
	cfg      *Config
	next     consumer.Metrics
	logger   *zap.Logger
	contract *schema.Compiled
	tel      *metadata.TelemetryBuilder
	now      func() time.Time

	mu        sync.Mutex
	inference map[string]*inferenceSeries
	keyBuf    []byte
	training  map[string]*trainingSeries
	lastFlush pcommon.Timestamp

	// loop flushes every flush_interval; nil until Start.
	loop         *periodic.Loop
	shutdownOnce sync.Once
}

func newConnector(set connector.Settings, cfg *Config, next consumer.Metrics) (*mlMetrics, error) {
	contract, err := schema.Compile(schema.Default())
	if err != nil {
		return nil, err
	}
	c := &mlMetrics{
		cfg: cfg, next: next, logger: set.Logger, contract: contract, now: time.Now,
		inference: map[string]*inferenceSeries{}, training: map[string]*trainingSeries{},
	}
	c.lastFlush = pcommon.NewTimestampFromTime(c.now())
	if c.tel, err = metadata.NewTelemetryBuilder(set.TelemetrySettings); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *mlMetrics) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *mlMetrics) Start(context.Context, component.Host) error {
	c.loop = periodic.Start(c.cfg.FlushInterval, func() { c.flush(context.Background()) })
	return nil
}

// Shutdown stops the flush loop (within ctx) and emits what was aggregated since the last
// flush, once.
func (c *mlMetrics) Shutdown(ctx context.Context) error {
	var err error
	c.shutdownOnce.Do(func() {
		err = c.loop.Stop(ctx)
		c.flush(ctx)
	})
	return err
}

func (c *mlMetrics) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	overflowed := int64(0)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			recs := sls.At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				if c.observe(rl.Resource().Attributes(), recs.At(k)) {
					overflowed++
				}
			}
		}
	}
	if overflowed > 0 {
		c.tel.ConnectorMlMetricsOverflow.Add(ctx, overflowed)
	}
	return nil
}

// observe adds one record and reports whether it went to the overflow series.
func (c *mlMetrics) observe(resource pcommon.Map, rec plog.LogRecord) bool {
	f := schema.FieldsOf(rec)
	eventType := f.Str(schema.FieldEventType)
	et, ok := c.contract.EventType(eventType)
	if !ok {
		return false
	}
	weight := 1.0
	if w, ok := f.Num(schema.FieldSamplingWeight); ok && w > 0 {
		weight = w
	}
	ex := exemplar{trace: rec.TraceID(), span: rec.SpanID(), ts: recordTime(rec), set: !rec.TraceID().IsEmpty()}
	switch et.Kind {
	case schema.KindInference:
		return c.observeInference(resource, rec, f, eventType, weight, ex)
	case schema.KindTraining:
		c.observeTraining(f, ex)
	}
	return false
}

func recordTime(rec plog.LogRecord) pcommon.Timestamp {
	if rec.Timestamp() != 0 {
		return rec.Timestamp()
	}
	return rec.ObservedTimestamp()
}

func (c *mlMetrics) observeInference(resource pcommon.Map, rec plog.LogRecord, f schema.Fields, eventType string, weight float64, ex exemplar) bool {
	s, overflow := c.seriesFor(resource, f)
	mark := func(o int, value float64) {
		s.requests[o] += weight
		e := ex
		e.value = value
		if e.set {
			s.requestEx[o] = e
		}
	}
	tags, hasTags := f.Get(schema.FieldTags) // read once for the three tags below
	tagged := func(tag string) bool { return hasTags && schema.TagsHold(tags, tag) }
	hits := [len(outcomes)]bool{
		outcomeError:     rec.SeverityNumber() >= plog.SeverityNumberError || eventType == inferenceErrorET,
		outcomeInvalid:   tagged(schema.TagInvalidSchema),
		outcomeSlow:      tagged(schema.TagHighLatency),
		outcomeAnomalous: tagged(schema.TagAnomalous),
	}
	special := false
	for o, hit := range hits {
		if hit {
			mark(o, 1)
			special = true
		}
	}
	if !special {
		mark(outcomeOK, 1)
	}
	if latency, ok := f.Num(schema.FieldLatencyMS); ok && latency >= 0 {
		e := ex
		e.value = latency
		if c.cfg.ExponentialLatency.Enabled {
			s.latencyExp.add(latency, weight, e)
		} else {
			s.latency.add(latency, weight, e)
		}
	}
	if mean, ok := f.Num(schema.FieldMeanConfidence); ok {
		e := ex
		e.value = mean
		s.confidence.add(mean, weight, e)
	}
	if hit, ok := f.Bool(schema.FieldCacheHit); ok {
		s.lookups += weight
		e := ex
		if hit {
			s.hits += weight
			e.value = 1
		}
		if e.set {
			s.cacheEx = e
		}
	}
	if drift, ok := f.Num(schema.FieldDriftScore); ok {
		s.drift, s.driftSet = drift, true
		e := ex
		e.value = drift
		if e.set {
			s.driftEx = e
		}
	}
	return overflow
}

// seriesFor finds or creates the record's series; past max_series, the overflow series.
func (c *mlMetrics) seriesFor(resource pcommon.Map, f schema.Fields) (*inferenceSeries, bool) {
	// The key is built in a buffer kept across records (ConsumeLogs holds c.mu): looking up
	// an existing series, the common case, allocates nothing.
	c.keyBuf = c.keyBuf[:0]
	for _, d := range c.cfg.Dimensions {
		c.keyBuf = append(c.keyBuf, dimensionValue(resource, f, d)...)
		c.keyBuf = append(c.keyBuf, 0)
	}
	if s, ok := c.inference[string(c.keyBuf)]; ok {
		return s, false
	}
	key := string(c.keyBuf)
	overflow := len(c.inference) >= c.cfg.MaxSeries
	if overflow {
		if s, ok := c.inference[overflowKey]; ok {
			return s, true
		}
		key = overflowKey
	}
	s := &inferenceSeries{
		attrs:      pcommon.NewMap(),
		start:      pcommon.NewTimestampFromTime(c.now()),
		latency:    newHistogram(c.cfg.LatencyBucketsMS),
		latencyExp: newExpHistogram(c.cfg.ExponentialLatency.Scale, c.cfg.ExponentialLatency.MaxBuckets),
		confidence: newHistogram(c.cfg.ConfidenceBuckets),
	}
	if overflow {
		s.attrs.PutBool(attrOverflow, true)
	} else {
		for _, d := range c.cfg.Dimensions {
			if v := dimensionValue(resource, f, d); v != "" {
				s.attrs.PutStr(d.Name, v)
			}
		}
	}
	c.inference[key] = s
	return s, overflow
}

// dimensionValue is the record's value of a series dimension: its field, else the resource
// attribute named for it.
func dimensionValue(resource pcommon.Map, f schema.Fields, d Dimension) string {
	v := f.Str(d.Field)
	if v == "" && d.ResourceAttribute != "" {
		if rv, ok := resource.Get(d.ResourceAttribute); ok {
			v = rv.AsString()
		}
	}
	return v
}

func (c *mlMetrics) observeTraining(f schema.Fields, ex exemplar) {
	experiment := f.Str(schema.FieldExperimentID)
	model := f.Str(schema.FieldTrainModel)
	epoch, hasEpoch := f.Num(schema.FieldEpoch)
	key := experiment + "\x00" + model + "\x00" + strconv.FormatFloat(epoch, 'f', -1, 64)
	s, ok := c.training[key]
	if !ok {
		s = &trainingSeries{attrs: pcommon.NewMap()}
		if experiment != "" {
			s.attrs.PutStr("experiment.id", experiment)
		}
		if model != "" {
			s.attrs.PutStr("model.name", model)
		}
		if hasEpoch {
			s.attrs.PutDouble("epoch", epoch)
		}
		c.training[key] = s
	}
	s.ts = ex.ts
	for _, path := range []string{schema.FieldTrainLoss, schema.FieldTrainingLoss, schema.FieldLoss} {
		if loss, ok := f.Num(path); ok {
			s.loss, s.hasLoss = loss, true
			s.lossEx, s.lossEx.value = ex, loss
			break
		}
	}
	if acc, ok := f.Num(schema.FieldEvalAccuracy); ok {
		s.accuracy, s.hasAcc = acc, true
		s.accuracyEx, s.accuracyEx.value = ex, acc
	}
}

// flush emits every series; with delta temporality it then starts the next interval.
func (c *mlMetrics) flush(ctx context.Context) {
	c.mu.Lock()
	md := c.buildLocked()
	c.mu.Unlock()
	if md.DataPointCount() == 0 {
		return
	}
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		c.logger.Error("ml metrics refused downstream", zap.Int("data_points", md.DataPointCount()), zap.Error(err))
		c.tel.ConnectorMlMetricsDropped.Add(ctx, int64(md.DataPointCount()))
	}
}
