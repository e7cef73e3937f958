// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	otelprocessor "go.opentelemetry.io/collector/processor"

	"github.com/otelcol-mlops/otelcol-mlops/internal/redact"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
)

type mlSchemaProcessor struct {
	cfg           *Config
	contract      *schema.Compiled
	location      *time.Location
	detector      *detector
	hasher        *hasher
	samplingBound uint64
	redactor      *redact.Redactor // nil without rules
	telemetry     *telemetry
}

func newProcessor(set otelprocessor.Settings, cfg *Config) (*mlSchemaProcessor, error) {
	contract, err := schema.Compile(cfg.schema())
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Normalize.DefaultTimezone)
	if err != nil {
		return nil, err
	}
	p := &mlSchemaProcessor{
		cfg:           cfg,
		contract:      contract,
		location:      loc,
		detector:      newDetector(cfg.Anomaly),
		hasher:        newHasher(string(cfg.Guard.HashKey)),
		samplingBound: boundFor(cfg.Sampling.Fraction),
	}
	if len(cfg.Guard.Redact) > 0 || len(cfg.Guard.RedactKeys) > 0 {
		if p.redactor, err = redact.New(cfg.Guard.Redact, cfg.Guard.RedactKeys); err != nil {
			return nil, err
		}
	}
	if p.telemetry, err = newTelemetry(set.TelemetrySettings, p.detector); err != nil {
		return nil, err
	}
	return p, nil
}

// shutdown unregisters the detector's gauge and forgets its series.
func (p *mlSchemaProcessor) shutdown(context.Context) error {
	p.detector.reset()
	p.telemetry.Shutdown()
	return nil
}

// scratch is what processing a record needs besides the record itself, made once per batch
// so that records do not allocate it one by one.
type scratch struct {
	view view
	path [defaultMaxDepth]string
}

func (p *mlSchemaProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	c := newCounts()
	s := new(scratch)
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		resource := rl.Resource().Attributes()
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			sl.LogRecords().RemoveIf(func(rec plog.LogRecord) bool {
				return !p.processRecord(rec, resource, &c, s)
			})
			return sl.LogRecords().Len() == 0
		})
		return rl.ScopeLogs().Len() == 0
	})
	p.telemetry.record(ctx, &c)
	return ld, nil
}

// processRecord runs every step on one record in one pass and reports whether it is kept.
func (p *mlSchemaProcessor) processRecord(rec plog.LogRecord, resource pcommon.Map, c *counts, s *scratch) bool {
	_, truncated, bodyOK := p.parseBody(rec)
	s.view = newView(rec)
	v := &s.view
	if !bodyOK {
		c.tagRecord(v, schema.TagInvalidJSON)
	}
	if truncated {
		c.tagRecord(v, schema.TagTruncated)
	}
	eventType := v.locate(schema.FieldEventType)

	p.normalizeTimestamp(rec, v, c)
	p.normalizeSeverity(rec, v)

	if et, ok := p.contract.EventType(eventType); ok {
		if !p.validate(v, et, c) && p.cfg.Schema.Action == ActionDrop {
			c.dropped[schema.TagInvalidSchema]++
			return false
		}
		p.enrichDeployment(v, resource)
		if et.Kind == schema.KindInference {
			normalizeLatency(v)
			mean, hasMean := p.enrichInference(v, c)
			if p.cfg.Anomaly.Enabled {
				p.flagAnomalies(v, mean, hasMean, c)
			}
		}
	}

	p.guard(v, c, s.path[:0])
	if p.redactor != nil {
		p.redactRecord(rec, v, c)
	}

	if p.cfg.Sampling.Enabled && !p.sample(rec, v) {
		c.dropped["sampled_out"]++
		return false
	}
	return true
}

// validate checks the record against its event type, tags it and lists every violation.
func (p *mlSchemaProcessor) validate(v *view, et *schema.CompiledType, c *counts) bool {
	var buf [8]schema.Violation
	violations := p.contract.Validate(v, et, buf[:0])
	c.validated[et.Name]++
	if len(violations) == 0 {
		return true
	}
	c.invalid[et.Name]++
	c.tagRecord(v, schema.TagInvalidSchema)
	// A record that already carries errors (a second pass, or its own) keeps them.
	slot := v.set(schema.FieldSchemaErrors)
	var errs pcommon.Slice
	switch slot.Type() {
	case pcommon.ValueTypeSlice:
		errs = slot.Slice()
	case pcommon.ValueTypeEmpty:
		errs = slot.SetEmptySlice()
	default:
		prev := slot.AsString()
		errs = slot.SetEmptySlice()
		errs.AppendEmpty().SetStr(prev)
	}
	errs.EnsureCapacity(errs.Len() + len(violations))
	for _, viol := range violations {
		if msg := viol.String(); !schema.TagsHold(slot, msg) {
			errs.AppendEmpty().SetStr(msg)
		}
	}
	return false
}

// flagAnomalies scores latency and mean confidence against the record's series.
func (p *mlSchemaProcessor) flagAnomalies(v *view, meanConfidence float64, hasConfidence bool, c *counts) {
	latency, hasLatency := v.Num(schema.FieldLatencyMS)
	if !hasLatency && !hasConfidence {
		return
	}
	key := seriesKey{v.Str(schema.FieldModelName), v.Str(schema.FieldModelVersion), v.Str(schema.FieldServingVariant)}
	s := p.detector.observe(key, latency, hasLatency, meanConfidence, hasConfidence)
	k := p.cfg.Anomaly.Threshold
	if s.latencyOK && (s.latencyZ > k || s.latencyZ < -k) {
		v.set(schema.FieldLatencyAnomalous).SetBool(true)
		v.set(schema.FieldLatencyZScore).SetDouble(s.latencyZ)
		c.anomalies["latency"]++
		c.tagRecord(v, schema.TagAnomalous)
	}
	if s.confidenceOK && (s.confidenceZ > k || s.confidenceZ < -k) {
		v.set(schema.FieldConfidenceAnomalous).SetBool(true)
		v.set(schema.FieldConfidenceZScore).SetDouble(s.confidenceZ)
		c.anomalies["confidence"]++
		c.tagRecord(v, schema.TagAnomalous)
	}
}
