// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontoken"
	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/timeparse"
)

// parseBody turns a string body holding a JSON object into a map body. It reports false for
// a body that looks like JSON but does not parse: that body is kept as it was.
func (p *mlSchemaProcessor) parseBody(rec plog.LogRecord) (parsed, truncated, ok bool) {
	body := rec.Body()
	if !p.cfg.Normalize.ParseJSONBody || body.Type() != pcommon.ValueTypeStr {
		return false, false, true
	}
	s := body.Str()
	if !jsontoken.StartsObject(s) {
		return false, false, true
	}
	m := pcommon.NewMap()
	res, err := jsontopdata.ParseObject(s, m, p.cfg.Guard.MaxDepth)
	if err != nil {
		return false, false, false
	}
	m.MoveTo(body.SetEmptyMap())
	return true, res.Truncated, true
}

// normalizeTimestamp sets the record's timestamp from the first timestamp field found.
func (p *mlSchemaProcessor) normalizeTimestamp(rec plog.LogRecord, v *view, c *counts) {
	for _, field := range p.cfg.Normalize.TimestampFields {
		val, ok := v.Get(field)
		if !ok {
			continue
		}
		t, zoned, err := timeparse.ValueIn(val, p.location)
		if err != nil {
			c.tagRecord(v, schema.TagInvalidTimestmp)
			return
		}
		rec.SetTimestamp(pcommon.NewTimestampFromTime(t))
		if !zoned {
			v.set(schema.FieldTimestampZone).SetStr(p.location.String())
			c.tagRecord(v, schema.TagNoTimezone)
		}
		return
	}
}

// severityByName maps the level names of Python logging, log4j, zap and friends.
var severityByName = map[string]plog.SeverityNumber{
	"TRACE": plog.SeverityNumberTrace, "DEBUG": plog.SeverityNumberDebug,
	"INFO": plog.SeverityNumberInfo, "NOTICE": plog.SeverityNumberInfo2,
	"WARN": plog.SeverityNumberWarn, "WARNING": plog.SeverityNumberWarn,
	"ERROR": plog.SeverityNumberError, "ERR": plog.SeverityNumberError, "EXCEPTION": plog.SeverityNumberError,
	"CRITICAL": plog.SeverityNumberFatal, "FATAL": plog.SeverityNumberFatal, "PANIC": plog.SeverityNumberFatal,
}

// severityByPythonLevel maps Python's numeric levelno.
func severityByPythonLevel(n int64) plog.SeverityNumber {
	switch {
	case n >= 50:
		return plog.SeverityNumberFatal
	case n >= 40:
		return plog.SeverityNumberError
	case n >= 30:
		return plog.SeverityNumberWarn
	case n >= 20:
		return plog.SeverityNumberInfo
	case n >= 10:
		return plog.SeverityNumberDebug
	}
	return plog.SeverityNumberTrace
}

// normalizeSeverity fills an unset severity from the first level field found.
func (p *mlSchemaProcessor) normalizeSeverity(rec plog.LogRecord, v *view) {
	if rec.SeverityNumber() != plog.SeverityNumberUnspecified {
		return
	}
	for _, field := range p.cfg.Normalize.SeverityFields {
		val, ok := v.Get(field)
		if !ok {
			continue
		}
		switch val.Type() {
		case pcommon.ValueTypeStr:
			if n, known := severityByName[strings.ToUpper(strings.TrimSpace(val.Str()))]; known {
				rec.SetSeverityNumber(n)
				rec.SetSeverityText(val.Str())
				return
			}
		case pcommon.ValueTypeInt:
			rec.SetSeverityNumber(severityByPythonLevel(val.Int()))
			rec.SetSeverityText(rec.SeverityNumber().String())
			return
		}
	}
}

// normalizeLatency writes inference_metrics.latency_ms from a latency in seconds when the
// record has only that.
func normalizeLatency(v *view) {
	if _, ok := v.Get(schema.FieldLatencyMS); ok {
		return
	}
	for _, field := range []string{schema.FieldLatencySeconds, schema.FieldLatencyS} {
		if s, ok := v.Num(field); ok {
			v.set(schema.FieldLatencyMS).SetDouble(s * 1000)
			return
		}
	}
}
