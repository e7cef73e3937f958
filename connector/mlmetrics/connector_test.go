// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlmetrics

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/processor/mlschema"
)

// record is one inference as a service logs it, before ml_schema.
type record struct {
	model, variant string
	latencyMS      float64
	confidences    string
	cacheHit       bool
	drift          float64
	level          string
	weight         float64
	jobID          string
}

func (r record) line() string {
	return fmt.Sprintf(`{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "r-%s", "service": "recommendation-model-prod", "environment": "production", "level": %q, "event_type": "inference_complete", `+
		`"model_metadata": {"model_name": %q, "model_version": "3.2.1", "serving_variant": %q}, "input_features": {"cache_hit": %v}, `+
		`"inference_metrics": {"latency_ms": %v}, "output": {"confidence_scores": [%s]}, "anomaly_signals": {"drift_score": %v}}`,
		r.jobID, r.level, r.model, r.variant, r.cacheHit, r.latencyMS, r.confidences, r.drift)
}

// throughSchema runs records through the real ml_schema processor, as the gateway does, and
// gives each the trace ID of its job.
func throughSchema(t testing.TB, recs []record) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "recommendation-model-prod")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, r := range recs {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(r.line())
		res, _ := legacyid.Default.Map(r.jobID)
		lr.SetTraceID(res.TraceID)
		lr.SetSpanID(legacyid.DeriveSpanID(res.TraceID, "recommendation-model-prod"))
	}
	sink := &consumertest.LogsSink{}
	f := mlschema.NewFactory()
	p := testutil.StartLogsProcessor(t, f, f.CreateDefaultConfig(), sink)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	out := sink.AllLogs()[0]
	for i, r := range recs {
		if r.weight != 0 {
			rec := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(i)
			rec.Body().Map().PutDouble("ml.sampling.weight", r.weight)
		}
	}
	return out
}

func newTestConnector(t *testing.T, cfg *Config) (*mlMetrics, *consumertest.MetricsSink) {
	sink := &consumertest.MetricsSink{}
	c, err := newConnector(connectortest.NewNopSettings(Type), cfg, sink)
	require.NoError(t, err)
	return c, sink
}

func metricNamed(md pmetric.Metrics, name string) (pmetric.Metric, bool) {
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Name() == name {
			return ms.At(i), true
		}
	}
	return pmetric.Metric{}, false
}

func attrsOf(m pcommon.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.All() {
		out[k] = v.AsString()
	}
	return out
}

func requestsByOutcome(t *testing.T, md pmetric.Metrics, model string) map[string]float64 {
	m, ok := metricNamed(md, MetricRequests)
	require.True(t, ok)
	out := map[string]float64{}
	for i := 0; i < m.Sum().DataPoints().Len(); i++ {
		dp := m.Sum().DataPoints().At(i)
		a := attrsOf(dp.Attributes())
		if a["model.name"] == model {
			out[a["outcome"]] = dp.DoubleValue()
		}
	}
	return out
}

func TestInferenceMetricsFromKnownRecords(t *testing.T) {
	var recs []record
	var latencies []float64
	for i := range 100 {
		lat := float64(10 + i*2) // 10..208 ms
		latencies = append(latencies, lat)
		recs = append(recs, record{model: "cf_v3", variant: "prod", latencyMS: lat, confidences: "0.9, 0.7", cacheHit: i%10 < 7, drift: 0.12, level: "INFO", jobID: fmt.Sprintf("job-%d", i)})
	}
	recs = append(recs, record{model: "cf_v3", variant: "prod", latencyMS: 912, confidences: "0.6", cacheHit: false, drift: 0.31, level: "INFO", jobID: "slow-job"})
	latencies = append(latencies, 912)
	recs = append(recs, record{model: "cf_v3", variant: "prod", latencyMS: 40, confidences: "0.2", level: "ERROR", jobID: "err-1", cacheHit: true, drift: 0.31})
	recs = append(recs, record{model: "cf_v3", variant: "prod", latencyMS: 41, confidences: "0.2", level: "ERROR", jobID: "err-2", cacheHit: true, drift: 0.31})
	latencies = append(latencies, 40, 41)

	cfg := createDefaultConfig()
	cfg.Temporality = Cumulative
	c, sink := newTestConnector(t, cfg)
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, recs)))
	c.flush(context.Background())
	require.Len(t, sink.AllMetrics(), 1)
	md := sink.AllMetrics()[0]

	// ml_schema's anomaly detector (real, not mocked) also flags the slow request and the two
	// low-confidence errors against the 100 steady ones before them.
	assert.Equal(t, map[string]float64{"ok": 100, "high_latency": 1, "error": 2, "anomalous": 3}, requestsByOutcome(t, md, "cf_v3"))

	lat, ok := metricNamed(md, MetricLatency)
	require.True(t, ok)
	require.Equal(t, 1, lat.Histogram().DataPoints().Len())
	dp := lat.Histogram().DataPoints().At(0)
	assert.Equal(t, map[string]string{"model.name": "cf_v3", "model.version": "3.2.1", "model.serving_variant": "prod",
		"service.name": "recommendation-model-prod", "deployment.environment": "production"}, attrsOf(dp.Attributes()))
	want := make([]uint64, len(cfg.LatencyBucketsMS)+1)
	sum := 0.0
	for _, l := range latencies {
		want[sort.SearchFloat64s(cfg.LatencyBucketsMS, l)]++
		sum += l
	}
	assert.Equal(t, want, dp.BucketCounts().AsRaw(), "bucket counts")
	assert.Equal(t, uint64(103), dp.Count())
	assert.InDelta(t, sum, dp.Sum(), 1e-6)
	assert.InDelta(t, 912.0, dp.Max(), 0)
	sorted := append([]float64(nil), latencies...)
	sort.Float64s(sorted)
	bucketOf := func(v float64) int { return sort.SearchFloat64s(cfg.LatencyBucketsMS, v) }
	for _, q := range []float64{0.5, 0.95, 0.99} {
		exact := sorted[int(q*float64(len(sorted)-1)+0.5)]
		assert.Equal(t, bucketOf(exact), bucketOf(percentile(dp, q)), "p%v: estimate %v and exact %v share a bucket", q*100, percentile(dp, q), exact)
	}
	require.Equal(t, 1, dp.Exemplars().Len())
	slow, _ := legacyid.Default.Map("slow-job")
	assert.Equal(t, pcommon.TraceID(slow.TraceID), dp.Exemplars().At(0).TraceID(), "the exemplar is the slowest request")
	assert.Equal(t, pcommon.SpanID(legacyid.DeriveSpanID(slow.TraceID, "recommendation-model-prod")), dp.Exemplars().At(0).SpanID())
	assert.InDelta(t, 912.0, dp.Exemplars().At(0).DoubleValue(), 0)

	conf, _ := metricNamed(md, MetricConfidence)
	assert.Equal(t, uint64(103), conf.Histogram().DataPoints().At(0).Count())
	lookups, _ := metricNamed(md, MetricLookups)
	hits, _ := metricNamed(md, MetricCacheHits)
	assert.InDelta(t, 103.0, lookups.Sum().DataPoints().At(0).DoubleValue(), 0)
	assert.InDelta(t, 72.0, hits.Sum().DataPoints().At(0).DoubleValue(), 0, "70 of the 100, plus the two errors")
	drift, _ := metricNamed(md, MetricDrift)
	assert.InDelta(t, 0.31, drift.Gauge().DataPoints().At(0).DoubleValue(), 1e-9)

	// Cumulative: a second interval adds to the first.
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, recs[:10])))
	c.flush(context.Background())
	assert.Equal(t, 110.0, requestsByOutcome(t, sink.AllMetrics()[1], "cf_v3")["ok"])
}

// percentile interpolates within the bucket that holds quantile q.
func percentile(dp pmetric.HistogramDataPoint, q float64) float64 {
	target := q * float64(dp.Count())
	seen := 0.0
	bounds := dp.ExplicitBounds().AsRaw()
	for i, c := range dp.BucketCounts().AsRaw() {
		if seen+float64(c) >= target {
			lo, hi := 0.0, dp.Max()
			if i > 0 {
				lo = bounds[i-1]
			}
			if i < len(bounds) {
				hi = bounds[i]
			}
			return lo + (hi-lo)*(target-seen)/float64(c)
		}
		seen += float64(c)
	}
	return dp.Max()
}

func TestSamplingWeightRescalesCounts(t *testing.T) {
	c, sink := newTestConnector(t, createDefaultConfig())
	var recs []record
	for i := range 25 {
		recs = append(recs, record{model: "m", variant: "prod", latencyMS: 50, confidences: "0.9", level: "INFO", weight: 4, jobID: fmt.Sprint(i)})
	}
	recs = append(recs, record{model: "m", variant: "prod", latencyMS: 50, confidences: "0.9", level: "ERROR", weight: 1, jobID: "e"})
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, recs)))
	c.flush(context.Background())
	md := sink.AllMetrics()[0]
	assert.Equal(t, map[string]float64{"ok": 100, "error": 1}, requestsByOutcome(t, md, "m"), "25 kept of 100 at weight 4")
	lat, _ := metricNamed(md, MetricLatency)
	assert.Equal(t, uint64(101), lat.Histogram().DataPoints().At(0).Count())
}

func TestCardinalityOverflow(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.MaxSeries = 2
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := connectortest.NewNopSettings(Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink := &consumertest.MetricsSink{}
	c, err := newConnector(set, cfg, sink)
	require.NoError(t, err)
	var recs []record
	for i := range 5 {
		recs = append(recs, record{model: fmt.Sprintf("model-%d", i), variant: "prod", latencyMS: 50, confidences: "0.9", level: "INFO", jobID: fmt.Sprint(i)})
	}
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, recs)))
	c.flush(context.Background())
	m, _ := metricNamed(sink.AllMetrics()[0], MetricRequests)
	overflowed := 0.0
	series := 0
	for i := 0; i < m.Sum().DataPoints().Len(); i++ {
		dp := m.Sum().DataPoints().At(i)
		series++
		if v, ok := dp.Attributes().Get("otel.metric.overflow"); ok && v.Bool() {
			overflowed += dp.DoubleValue()
			_, hasModel := dp.Attributes().Get("model.name")
			assert.False(t, hasModel, "the overflow series has no dimensions")
		}
	}
	assert.Equal(t, 3, series, "two series and the overflow series")
	assert.InDelta(t, 3.0, overflowed, 0, "nothing is lost: the three extra models are counted in the overflow series")
	got, err := tel.GetMetric("otelcol_connector_ml_metrics_overflow")
	require.NoError(t, err)
	assert.Equal(t, int64(3), got.Data.(metricdata.Sum[int64]).DataPoints[0].Value, "overflowed records are counted")
}

func TestDeltaAndExponential(t *testing.T) {
	cfg := testutil.ComponentConfig[*Config](t, NewFactory(), "custom")
	c, sink := newTestConnector(t, cfg)
	now := time.Now()
	c.now = func() time.Time { return now }
	recs := []record{{model: "m", variant: "v", latencyMS: 5, confidences: "0.5", level: "INFO", jobID: "a"}, {model: "m", variant: "v", latencyMS: 50, confidences: "0.5", level: "INFO", jobID: "b"}}
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, recs)))
	c.flush(context.Background())
	now = now.Add(30 * time.Second)
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, recs[:1])))
	c.flush(context.Background())
	require.Len(t, sink.AllMetrics(), 2)
	second, _ := metricNamed(sink.AllMetrics()[1], MetricLatency)
	require.Equal(t, pmetric.MetricTypeExponentialHistogram, second.Type())
	dp := second.ExponentialHistogram().DataPoints().At(0)
	assert.Equal(t, pmetric.AggregationTemporalityDelta, second.ExponentialHistogram().AggregationTemporality())
	assert.Equal(t, uint64(1), dp.Count(), "delta: only the second interval")
	assert.Equal(t, int32(2), dp.Scale())
	// 5 ms at scale 2: index ceil(log2(5)*4)-1 = 9, bucket (2^(9/4), 2^(10/4)] = (4.76, 5.66].
	assert.Equal(t, int32(9), dp.Positive().Offset())
	assert.Equal(t, []uint64{1}, dp.Positive().BucketCounts().AsRaw())
	a := attrsOf(dp.Attributes())
	assert.Equal(t, map[string]string{"model.name": "m"}, a, "custom dimensions; region absent on the resource")
	assert.Equal(t, pcommon.NewTimestampFromTime(now.Add(-30*time.Second)), dp.StartTimestamp())
}

func TestTrainingGauges(t *testing.T) {
	c, sink := newTestConnector(t, createDefaultConfig())
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for epoch, loss := range []float64{0.9, 0.6, 0.41} {
		lr := lrs.AppendEmpty()
		m := lr.Body().SetEmptyMap()
		m.PutStr("event_type", "training_epoch_end")
		m.PutStr("experiment_id", "exp_2026_02_27_v1")
		m.PutStr("model_name", "cf_v3")
		m.PutInt("epoch", int64(epoch))
		m.PutEmptyMap("metrics").PutDouble("train_loss", loss)
	}
	step := lrs.AppendEmpty().Body().SetEmptyMap()
	step.PutStr("event_type", "training_step")
	step.PutStr("model_name", "bert-finetuned")
	step.PutDouble("epoch", 2)
	step.PutDouble("training_loss", 0.33)
	step.PutEmptyMap("eval_metrics").PutDouble("eval_accuracy", 0.91)
	require.NoError(t, c.ConsumeLogs(context.Background(), ld))
	c.flush(context.Background())
	md := sink.AllMetrics()[0]
	loss, ok := metricNamed(md, MetricTrainingLoss)
	require.True(t, ok)
	byEpoch := map[string]float64{}
	for i := 0; i < loss.Gauge().DataPoints().Len(); i++ {
		dp := loss.Gauge().DataPoints().At(i)
		a := attrsOf(dp.Attributes())
		byEpoch[a["experiment.id"]+"/"+a["model.name"]+"/"+a["epoch"]] = dp.DoubleValue()
	}
	assert.Equal(t, map[string]float64{
		"exp_2026_02_27_v1/cf_v3/0": 0.9, "exp_2026_02_27_v1/cf_v3/1": 0.6, "exp_2026_02_27_v1/cf_v3/2": 0.41, "/bert-finetuned/2": 0.33,
	}, byEpoch)
	acc, ok := metricNamed(md, MetricTrainingAcc)
	require.True(t, ok)
	assert.InDelta(t, 0.91, acc.Gauge().DataPoints().At(0).DoubleValue(), 1e-9)
}

func TestShutdownFlushes(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.FlushInterval = time.Hour
	sink := &consumertest.MetricsSink{}
	c, err := NewFactory().CreateLogsToMetrics(context.Background(), connectortest.NewNopSettings(Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, c.ConsumeLogs(context.Background(), throughSchema(t, []record{{model: "m", variant: "v", latencyMS: 5, confidences: "0.5", level: "INFO", jobID: "a"}})))
	require.NoError(t, c.Shutdown(context.Background()))
	require.Len(t, sink.AllMetrics(), 1, "what was aggregated is emitted at shutdown")
}
