// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// shippedConfig is ml_schema's configuration in one of the shipped collector configurations.
func shippedConfig(t testing.TB, file string, edit func(*Config)) *Config {
	t.Helper()
	conf, err := confmaptest.LoadConf("../../configs/" + file)
	require.NoError(t, err)
	sub, err := conf.Sub("processors::ml_schema")
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	if edit != nil {
		edit(cfg)
	}
	return cfg
}

// agentLines are what a node's pods write: the seed's records and lines with secrets in them,
// JSON and not.
func agentLines(t *testing.T) []string {
	var lines []string
	for _, name := range seedRecordNames(t) {
		lines = append(lines, seedRecord(t, name))
	}
	return append(lines,
		`{"timestamp": "2024-05-14T10:03:22Z", "request_id": "r-1", "service": "api", "event_type": "inference_complete", "api_key": "sk-live-0123456789", "headers": {"Authorization": "Bearer eyJhbGciOi.J9.abc=="}, "message": "retrying with token=abcdefgh12345678"}`,
		`{"level": "INFO", "sessions": [{"accessToken": "sk-2"}], "db": {"password": 12345678}, "api\u005fkey": "sk-escaped", "detail": "tok\u0065n=abcdefgh12345678"}`,
		`2024-05-14 10:03:22,501 ERROR upload failed, SECRET='hunter2hunter2' rejected`,
		`{"api_key": "sk-broken", "message": "model "fail-me" raised"}`,
	)
}

// run passes lines (string bodies, as filelog reads them) through the processors in order.
func runChain(t *testing.T, lines []string, cfgs ...*Config) plog.LogRecordSlice {
	ld, recs := newLogs("ml-worker")
	for _, line := range lines {
		recs.AppendEmpty().Body().SetStr(line)
	}
	for _, cfg := range cfgs {
		ld = newHarness(t, cfg).run(t, ld)
	}
	return ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
}

// The agent keeps JSON lines as text and masks their secrets in the text; the gateway parses
// them. Every record the gateway makes of them is the one it made when the agent parsed the
// lines itself: parsing once, at the gateway, changes nothing a user sees but where the count
// of masked values sits (an attribute beside a text body, the body's field beside a parsed one).
func TestAgentLeavesLinesAsTextAndTheGatewayParsesThemOnce(t *testing.T) {
	agent := shippedConfig(t, "sidecar.yaml", nil)
	require.False(t, agent.Normalize.ParseJSONBody, "configs/sidecar.yaml parses JSON lines on the agent")
	parsingAgent := shippedConfig(t, "sidecar.yaml", func(c *Config) { c.Normalize.ParseJSONBody = true })
	gateway := shippedConfig(t, "gateway.yaml", nil)
	lines := agentLines(t)

	onTheNode := runChain(t, lines, agent)
	for i, line := range lines {
		body := onTheNode.At(i).Body()
		require.Equal(t, pcommon.ValueTypeStr, body.Type(), "line %d left the node parsed", i)
		if !strings.Contains(line, "sk-") && !strings.Contains(line, "Bearer") && !strings.Contains(line, "hunter2") && !strings.Contains(line, "token=") {
			assert.Equal(t, line, body.Str(), "line %d: a line without secrets leaves the node as written", i)
		}
		for _, secret := range []string{"sk-live-0123456789", "eyJhbGciOi", "abcdefgh12345678", "sk-2", "12345678,", "sk-escaped", "hunter2", "sk-broken"} {
			assert.NotContains(t, body.Str(), secret, "line %d", i)
		}
	}

	now := runChain(t, lines, agent, gateway)
	before := runChain(t, lines, parsingAgent, gateway)
	require.Equal(t, before.Len(), now.Len())
	for i := 0; i < now.Len(); i++ {
		nowCount, before := maskedCount(now.At(i)), before.At(i)
		beforeCount := maskedCount(before)
		assert.Equal(t, beforeCount, nowCount, "line %d: values masked", i)
		assert.Equal(t, recordJSON(t, before), recordJSON(t, now.At(i)), "line %d", i)
	}
}

// maskedCount removes redaction.masked.count from wherever it sits and returns it.
func maskedCount(rec plog.LogRecord) int64 {
	v, ok := field(rec, AttrRedacted)
	if !ok {
		return 0
	}
	n := v.Int()
	rec.Attributes().Remove(AttrRedacted)
	if rec.Body().Type() == pcommon.ValueTypeMap {
		rec.Body().Map().Remove(AttrRedacted)
	}
	return n
}

func recordJSON(t *testing.T, rec plog.LogRecord) string {
	t.Helper()
	ld := plog.NewLogs()
	rec.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	var m plog.JSONMarshaler
	raw, err := m.MarshalLogs(ld)
	require.NoError(t, err)
	return fmt.Sprint(string(raw))
}
