// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// FuzzJSONBody feeds arbitrary bodies through the whole processor: it must never panic, keep
// every record (action tag, no sampling), turn valid JSON objects into map bodies and leave
// everything else as it was.
func FuzzJSONBody(f *testing.F) {
	for _, name := range seedRecordNames(f) {
		f.Add(seedRecord(f, name))
	}
	f.Add(`{"event_type": "inference_complete", "output": {"confidence_scores": [1e308, -0, "x", null]}}`)
	f.Add(`{"event_type": "training_epoch_end", "epoch": 1.5, "timestamp": 99999999999999999999}`)
	h := newHarness(f, createDefaultConfig())
	f.Fuzz(func(t *testing.T, body string) {
		ld, recs := newLogs("fuzz")
		appendRecord(t, recs, body, jsonBody)
		out := h.run(t, ld)
		if out.LogRecordCount() != 1 {
			t.Fatalf("record lost for %q", body)
		}
		rec := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
		isObject := json.Valid([]byte(body)) && strings.HasPrefix(strings.TrimLeft(body, " \t\r\n"), "{")
		if isObject && rec.Body().Type() != pcommon.ValueTypeMap {
			t.Fatalf("valid JSON object not parsed: %q", body)
		}
		if !isObject && (rec.Body().Type() != pcommon.ValueTypeStr || rec.Body().Str() != body) {
			t.Fatalf("non-JSON body changed: %q", body)
		}
	})
}
