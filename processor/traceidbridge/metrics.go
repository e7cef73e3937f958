// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// processMetrics turns a data point attribute holding a legacy ID into an exemplar carrying
// the mapped trace context, and removes the attribute: one series per request ID would
// explode cardinality, while an exemplar keeps the link from the point to its trace.
func (b *bridge) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	var c counts
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		resource := rm.Resource().Attributes()
		service := serviceName(resource)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				b.bridgeMetric(ms.At(k), resource, service, &c)
			}
		}
	}
	b.telemetry.record(ctx, signalMetrics, &c)
	return md, nil
}

func (b *bridge) bridgeMetric(m pmetric.Metric, resource pcommon.Map, service string, c *counts) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		b.bridgeNumberPoints(m.Gauge().DataPoints(), resource, service, c)
	case pmetric.MetricTypeSum:
		b.bridgeNumberPoints(m.Sum().DataPoints(), resource, service, c)
	case pmetric.MetricTypeHistogram:
		pts := m.Histogram().DataPoints()
		for i := 0; i < pts.Len(); i++ {
			p := pts.At(i)
			b.bridgePoint(p.Attributes(), p.Exemplars(), p.Timestamp(), meanOf(p.HasSum(), p.Sum(), p.Count()), resource, service, c)
		}
	case pmetric.MetricTypeExponentialHistogram:
		pts := m.ExponentialHistogram().DataPoints()
		for i := 0; i < pts.Len(); i++ {
			p := pts.At(i)
			b.bridgePoint(p.Attributes(), p.Exemplars(), p.Timestamp(), meanOf(p.HasSum(), p.Sum(), p.Count()), resource, service, c)
		}
	}
	// Summary points cannot carry exemplars; their attributes are left as they are.
}

func (b *bridge) bridgeNumberPoints(pts pmetric.NumberDataPointSlice, resource pcommon.Map, service string, c *counts) {
	for i := 0; i < pts.Len(); i++ {
		p := pts.At(i)
		value := p.DoubleValue()
		if p.ValueType() == pmetric.NumberDataPointValueTypeInt {
			value = float64(p.IntValue())
		}
		b.bridgePoint(p.Attributes(), p.Exemplars(), p.Timestamp(), value, resource, service, c)
	}
}

func (b *bridge) bridgePoint(attrs pcommon.Map, exemplars pmetric.ExemplarSlice, ts pcommon.Timestamp, value float64,
	resource pcommon.Map, service string, c *counts,
) {
	f := b.metricSources.find(record{resource: resource, attrs: attrs})
	c.unparseable += int64(f.unparseable)
	if !f.ok {
		return
	}
	attrs.Remove(f.key)
	ex := exemplars.AppendEmpty()
	ex.SetTimestamp(ts)
	ex.SetDoubleValue(value)
	ex.SetTraceID(pcommon.TraceID(f.result.TraceID))
	ex.SetSpanID(spanIDFor(f.result, service))
	ex.FilteredAttributes().PutStr(AttrLegacyTraceID, f.raw)
	c.bridged[f.result.Rule]++
}

func meanOf(hasSum bool, sum float64, count uint64) float64 {
	if !hasSum || count == 0 {
		return 0
	}
	return sum / float64(count)
}
