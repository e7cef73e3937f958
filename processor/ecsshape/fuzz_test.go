// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
)

// FuzzShapedDocumentIsAccepted: whatever a log line holds, the document ecs_shape makes of it
// is one the shipped template accepts (the stand-in's Elasticsearch rules).
func FuzzShapedDocumentIsAccepted(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "configs", "elasticsearch", "ml-logs-index-template.json"))
	if err != nil {
		f.Fatal(err)
	}
	validator, err := esstandin.NewValidator(raw)
	if err != nil {
		f.Fatal(err)
	}
	hostile, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "hostile", "*.json"))
	for _, path := range hostile {
		b, _ := os.ReadFile(path)
		f.Add(string(b))
	}
	f.Add(`{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-7f3a", "service": "recommendation-model-prod", "event_type": "inference_complete", "model_metadata": {"model_name": "recsys", "model_version": "v2.3.1"}, "inference_metrics": {"latency_ms": 84.2}}`)
	f.Add(`{"trace": "t", "log": {"level": 5}, "message": {"a": 1}, "service": {"name": [1]}, "data_stream": "x"}`)
	f.Add(`{"tags": [{"a": 1}], "ml": {"schema": {"invalid": 3}}, "legacy.trace_id.format": {"x": 1}}`)
	s, err := newShaper(componenttest.NewNopTelemetrySettings(), createDefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "fuzz")
		rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		rec.SetTimestamp(pcommon.Timestamp(1772202735847000000))
		m := pcommon.NewMap()
		if _, err := jsontopdata.ParseObject(line, m, 16); err == nil && strings.HasPrefix(strings.TrimSpace(line), "{") {
			m.MoveTo(rec.Body().SetEmptyMap())
		} else {
			rec.Body().SetStr(line)
		}
		out, err := s.processLogs(context.Background(), ld)
		if err != nil {
			t.Fatal(err)
		}
		body := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body()
		if body.Type() != pcommon.ValueTypeMap {
			t.Fatalf("the body is not a document: %s", body.Type())
		}
		doc, err := json.Marshal(body.Map().AsRaw())
		if err != nil {
			t.Fatalf("the document is not JSON: %v", err)
		}
		if err := validator.Check(doc); err != nil {
			t.Fatalf("Elasticsearch would refuse %s: %v", doc, err)
		}
	})
}
