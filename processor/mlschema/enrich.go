// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

// Resource attributes the deployment fields fall back to.
const (
	resourceEnvironment = "deployment.environment.name"
	resourceEnvLegacy   = "deployment.environment"
	resourceCluster     = "k8s.cluster.name"
)

// confidenceStats are the mean, min and max of output.confidence_scores.
type confidenceStats struct {
	mean, min, max float64
	n              int
}

func readConfidences(v *view, threshold float64) (confidenceStats, int, bool) {
	val, ok := v.Get(schema.FieldConfidenceScores)
	if !ok || val.Type() != pcommon.ValueTypeSlice || val.Slice().Len() == 0 {
		return confidenceStats{}, 0, false
	}
	s := val.Slice()
	st := confidenceStats{min: math.Inf(1), max: math.Inf(-1)}
	sum, above := 0.0, 0
	for i := 0; i < s.Len(); i++ {
		var x float64
		switch e := s.At(i); e.Type() {
		case pcommon.ValueTypeDouble:
			x = e.Double()
		case pcommon.ValueTypeInt:
			x = float64(e.Int())
		default:
			continue // validation has reported it
		}
		if math.IsNaN(x) {
			continue
		}
		sum += x
		st.min, st.max = math.Min(st.min, x), math.Max(st.max, x)
		st.n++
		if x >= threshold {
			above++
		}
	}
	if st.n == 0 {
		return confidenceStats{}, 0, false
	}
	st.mean = sum / float64(st.n)
	return st, above, true
}

// enrichInference derives, in one pass, what a Logstash pipeline's filters derive for ML
// inference records: mean, min and max confidence, items above the threshold, the low-confidence
// warning and the latency alert.
func (p *mlSchemaProcessor) enrichInference(v *view, c *counts) (meanConfidence float64, hasConfidence bool) {
	threshold := p.cfg.Enrich.ConfidenceThreshold
	if t, ok := v.Num(schema.FieldConfidenceThreshold); ok {
		threshold = t
	}
	if st, above, ok := readConfidences(v, threshold); ok {
		v.set(schema.FieldMeanConfidence).SetDouble(st.mean)
		v.set(schema.FieldMinConfidence).SetDouble(st.min)
		v.set(schema.FieldMaxConfidence).SetDouble(st.max)
		if _, present := v.Get(schema.FieldItemsAboveThreshold); !present {
			v.set(schema.FieldItemsAboveThreshold).SetInt(int64(above))
		}
		meanConfidence, hasConfidence = st.mean, true
	}
	if items, ok := v.Num(schema.FieldItemsAboveThreshold); ok && items < float64(p.cfg.Enrich.LowConfidenceItems) {
		v.set(schema.FieldLowConfidenceWarning).SetBool(true)
	}
	if latency, ok := v.Num(schema.FieldLatencyMS); ok && latency > p.latencyThreshold(v) {
		c.tagRecord(v, schema.TagHighLatency)
	}
	return meanConfidence, hasConfidence
}

func (p *mlSchemaProcessor) latencyThreshold(v *view) float64 {
	if len(p.cfg.Enrich.ModelLatencyMS) > 0 {
		if ms, ok := p.cfg.Enrich.ModelLatencyMS[v.Str(schema.FieldModelName)]; ok {
			return ms
		}
	}
	return p.cfg.Enrich.HighLatencyMS
}

// enrichDeployment writes the deployment fields, from configuration or the resource.
func (p *mlSchemaProcessor) enrichDeployment(v *view, resource pcommon.Map) {
	env := p.cfg.Enrich.Environment
	if env == "" {
		env = resourceStr(resource, resourceEnvironment, resourceEnvLegacy)
	}
	if env != "" {
		v.set(schema.FieldDeployEnv).SetStr(env)
	}
	cluster := p.cfg.Enrich.Cluster
	if cluster == "" {
		cluster = resourceStr(resource, resourceCluster)
	}
	if cluster != "" {
		v.set(schema.FieldDeployCluster).SetStr(cluster)
	}
}

func resourceStr(resource pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if val, ok := resource.Get(k); ok && val.Type() == pcommon.ValueTypeStr {
			return val.Str()
		}
	}
	return ""
}
