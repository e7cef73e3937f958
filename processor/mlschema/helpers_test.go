// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	otelprocessor "go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/fieldpath"
)

// shape is where a record's fields sit when the collector receives it.
type shape int

const (
	jsonBody   shape = iota // unparsed JSON line in a string body
	mapBody                 // structured body (OTLP SDKs, parsed upstream)
	attributes              // filelog's json_parser output
)

// seedRecord reads testdata/records/<name> as it was logged.
func seedRecord(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "records", name))
	require.NoError(t, err)
	return strings.TrimSpace(string(raw))
}

// seedRecordNames lists the seed records in order.
func seedRecordNames(t testing.TB) []string {
	entries, err := os.ReadDir(filepath.Join("testdata", "records"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func appendRecord(t testing.TB, recs plog.LogRecordSlice, line string, sh shape) plog.LogRecord {
	rec := recs.AppendEmpty()
	switch sh {
	case jsonBody:
		rec.Body().SetStr(line)
	case mapBody:
		_, err := jsontopdata.ParseObject(line, rec.Body().SetEmptyMap(), 64)
		require.NoError(t, err)
	case attributes:
		_, err := jsontopdata.ParseObject(line, rec.Attributes(), 64)
		require.NoError(t, err)
	}
	return rec
}

func newLogs(service string) (plog.Logs, plog.LogRecordSlice) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	rl.Resource().Attributes().PutStr("deployment.environment.name", "production")
	rl.Resource().Attributes().PutStr("k8s.cluster.name", "ml-us-west-2")
	return ld, rl.ScopeLogs().AppendEmpty().LogRecords()
}

type harness struct {
	tel  *componenttest.Telemetry
	sink *consumertest.LogsSink
	proc otelprocessor.Logs
}

func newHarness(t testing.TB, cfg *Config) *harness {
	h := &harness{tel: componenttest.NewTelemetry(), sink: &consumertest.LogsSink{}}
	set := processortest.NewNopSettings(Type)
	set.TelemetrySettings = h.tel.NewTelemetrySettings()
	var err error
	h.proc, err = NewFactory().CreateLogs(context.Background(), set, cfg, h.sink)
	require.NoError(t, err)
	require.NoError(t, h.proc.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, h.proc.Shutdown(context.Background()))
		require.NoError(t, h.tel.Shutdown(context.Background()))
	})
	return h
}

func (h *harness) run(t testing.TB, ld plog.Logs) plog.Logs {
	require.NoError(t, h.proc.ConsumeLogs(context.Background(), ld))
	all := h.sink.AllLogs()
	return all[len(all)-1]
}

func (h *harness) counter(t testing.TB, name string, attrs map[string]string) int64 {
	t.Helper()
	return testutil.Counter(t, h.tel, name, attrs)
}

// field reads a record's field wherever it sits, as the processor does.
func field(rec plog.LogRecord, path string) (pcommon.Value, bool) {
	if v, ok := fieldpath.Get(rec.Attributes(), path); ok {
		return v, true
	}
	if rec.Body().Type() == pcommon.ValueTypeMap {
		return fieldpath.Get(rec.Body().Map(), path)
	}
	return pcommon.Value{}, false
}

func tags(rec plog.LogRecord) []string { return stringList(rec, "tags") }

func schemaErrors(rec plog.LogRecord) []string { return stringList(rec, "ml.schema.errors") }

// stringList reads a list of strings field of rec, nil when absent.
func stringList(rec plog.LogRecord, path string) []string {
	v, ok := field(rec, path)
	if !ok {
		return nil
	}
	var out []string
	for i := 0; i < v.Slice().Len(); i++ {
		out = append(out, v.Slice().At(i).Str())
	}
	return out
}
