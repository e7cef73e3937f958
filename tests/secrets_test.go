// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/otelcol-mlops/otelcol-mlops/internal/grpcsnappy" // snappy (race-free, as the binary has it) and zstd, as the agent may compress
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/encoding/gzip" // and gzip

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

// captureGateway is an OTLP/gRPC server standing where the gateways are: what it receives is
// exactly what left the node.
type captureGateway struct {
	plogotlp.UnimplementedGRPCServer
	addr string
	srv  *grpc.Server
	mu   sync.Mutex
	logs []plog.Logs
}

func startCaptureGateway(t *testing.T) *captureGateway {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return serveCaptureGateway(t, l)
}

// serveCaptureGateway is a captureGateway on l.
func serveCaptureGateway(t *testing.T, l net.Listener) *captureGateway {
	t.Helper()
	g := &captureGateway{addr: l.Addr().String(), srv: grpc.NewServer()}
	plogotlp.RegisterGRPCServer(g.srv, g)
	go func() { _ = g.srv.Serve(l) }()
	t.Cleanup(g.srv.Stop)
	return g
}

func (g *captureGateway) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	ld := plog.NewLogs()
	req.Logs().CopyTo(ld)
	g.mu.Lock()
	g.logs = append(g.logs, ld)
	g.mu.Unlock()
	return plogotlp.NewExportResponse(), nil
}

// wire is everything received, as OTLP JSON: a secret that left the node is somewhere in it.
func (g *captureGateway) wire() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	var m plog.JSONMarshaler
	for _, ld := range g.logs {
		raw, _ := m.MarshalLogs(ld)
		b.Write(raw)
	}
	return b.String()
}

// secretCase is one way a secret reaches a log: its line (or OTLP record), and the secret.
type secretCase struct {
	name, line, secret string
	otlp               func(rec plog.LogRecord)
}

// secretCorpus is shaped like what real services log: structured fields under every common
// spelling, nested request headers, arrays of objects, secrets inside message text and query
// strings, plain-text lines, Python reprs, broken JSON, CRI-wrapped lines, and a local SDK's
// attributes and map bodies. Each secret is unique, so a leak names its case.
func secretCorpus() []secretCase {
	s := func(n int) string { return fmt.Sprintf("sk-live-%02d-%02dq9w8e7r6t5", n, n) }
	json := func(n int, fields string) secretCase {
		return secretCase{name: fmt.Sprintf("json %02d", n), secret: s(n),
			line: fmt.Sprintf(`{"level": "INFO", "case": "case-%02d", "message": "calling the model API", %s}`, n, strings.ReplaceAll(fields, "SECRET", s(n)))}
	}
	text := func(n int, line string) secretCase {
		return secretCase{name: fmt.Sprintf("text %02d", n), secret: s(n), line: fmt.Sprintf("case-%02d ", n) + strings.ReplaceAll(line, "SECRET", s(n))}
	}
	sdk := func(n int, set func(rec plog.LogRecord, secret string)) secretCase {
		return secretCase{name: fmt.Sprintf("sdk %02d", n), secret: s(n), otlp: func(rec plog.LogRecord) {
			rec.Attributes().PutStr("case", fmt.Sprintf("case-%02d", n))
			set(rec, s(n))
		}}
	}
	return []secretCase{
		json(1, `"api_key": "SECRET"`),
		json(2, `"token": "SECRET"`),
		json(3, `"apiKey": "SECRET"`),
		json(4, `"headers": {"x-api-key": "SECRET", "content-type": "application/json"}`),
		json(5, `"client_secret": "SECRET"`),
		json(6, `"request": {"headers": {"Authorization": "Bearer SECRET"}}`),
		json(7, `"auth": {"user": "svc-trainer", "password": "SECRET"}`),
		json(8, `"sessions": [{"user": "a", "accessToken": "SECRET"}]`),
		json(9, `"X-Auth-Token": "SECRET"`),
		json(10, `"detail": "retrying with token=SECRET after a 401"`),
		json(11, `"url": "https://api.example.com/v1/predict?access_token=SECRET&model=bert"`),
		json(12, `"credentials": {"user": "svc", "key": "SECRET"}`),
		json(13, `"Cookie": "sessionid=SECRET"`),
		json(14, `"private_key": "-----BEGIN PRIVATE KEY-----SECRET"`),
		json(15, `"API_KEY": "SECRET"`),
		json(16, `"refresh_token": "SECRET", "id_token": "x"`),
		json(17, `"env": {"OPENAI_API_KEY": "SECRET"}`),
		json(18, `"aws": {"secret_access_key": "SECRET", "access_key": "AKIA-SECRET"}`),
		// The agent walks JSON lines as text: names and values spelled with escapes, any depth.
		json(35, `"api\u005fkey": "SECRET"`),
		json(36, `"\u0041PI-KEY": "SECRET"`),
		json(37, `"detail": "retrying with tok\u0065n=SECRET"`),
		json(38, `"detail": "upstream said \"Authorization: Bearer SECRET\" twice"`),
		json(39, `"batches": [[{"password": "SECRET"}], []]`),
		json(40, strings.Repeat(`"a": {`, 200)+`"token": "SECRET"`+strings.Repeat(`}`, 200)),
		json(41, `"payload": "{\"api_key\": \"SECRET\"}"`),
		text(19, `2026-11-29 10:00:00 INFO Authorization: Bearer SECRET`),
		text(20, `calling upstream with api_key=SECRET`),
		text(21, `db connect password: SECRET`),
		text(22, "to\u212Aen=SECRET (the Kelvin sign folds to k)"),
		text(23, `{"api_key": "SECRET", "message": "model "fail-me" raised"}`), // broken JSON stays text
		text(24, `{'api_key': 'SECRET', 'model': 'bert'}`),                     // a Python dict's repr
		text(25, `OPENAI_API_KEY=SECRET python train.py`),
		text(26, `GET /v1/predict?access_token=SECRET HTTP/1.1`),
		text(27, `x-api-key: SECRET`),
		{name: "cri 28", secret: s(28), line: fmt.Sprintf(`2026-11-29T10:00:00.000000000Z stdout F {"case": "case-28", "api_key": "%s"}`, s(28))},
		{name: "docker 29", secret: s(29), line: fmt.Sprintf(`{"log":"{\"case\": \"case-29\", \"token\": \"%s\"}\n","stream":"stdout","time":"2026-11-29T10:00:00.000000000Z"}`, s(29))},
		sdk(30, func(rec plog.LogRecord, secret string) {
			rec.Attributes().PutStr("api_key", secret)
			rec.Body().SetStr("calling the model API")
		}),
		sdk(31, func(rec plog.LogRecord, secret string) {
			body := rec.Body().SetEmptyMap()
			body.PutStr("message", "login")
			body.PutStr("token", secret)
		}),
		sdk(32, func(rec plog.LogRecord, secret string) {
			rec.Attributes().PutEmptySlice("http.request.header.authorization").AppendEmpty().SetStr("Bearer " + secret)
			rec.Body().SetStr("request served")
		}),
		sdk(33, func(rec plog.LogRecord, secret string) {
			rec.Attributes().PutEmptyMap("headers").PutStr("X-Api-Key", secret)
			rec.Body().SetStr("request served")
		}),
		sdk(34, func(rec plog.LogRecord, secret string) {
			rec.Body().SetEmptySlice().AppendEmpty().SetEmptyMap().PutStr("clientSecret", secret)
		}),
	}
}

// The shipped agent's promise, "API keys and bearer tokens that leak into log lines never
// leave the node", against the corpus above: through its file tail and its OTLP receiver,
// nothing of any secret reaches the gateway, and every record still does.
func TestSecretsNeverLeaveTheNode(t *testing.T) {
	gateway := startCaptureGateway(t)
	logDir := t.TempDir()
	corpus := secretCorpus()
	var file strings.Builder
	for _, c := range corpus {
		if c.otlp == nil {
			file.WriteString(c.line + "\n")
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(logDir, "app.log"), []byte(file.String()), 0o600))
	sidecar := startTestSidecar(t, logDir, t.TempDir(), []string{gateway.addr}, nil)
	stopOnCleanup(t, sidecar)

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "model-registry")
	for _, c := range corpus {
		if c.otlp != nil {
			rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			rec.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
			c.otlp(rec)
		}
	}
	conn, err := grpc.NewClient(sidecar.OTLPGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	testutil.Eventually(t, 30*time.Second, func() error {
		_, err := plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(ld))
		return err
	})

	testutil.Eventually(t, 60*time.Second, func() error {
		wire := gateway.wire()
		for _, c := range corpus {
			if marker := "case-" + c.secret[8:10]; !strings.Contains(wire, marker) {
				return fmt.Errorf("%s (%s) has not reached the gateway", c.name, marker)
			}
		}
		return nil
	})
	wire := gateway.wire()
	for _, c := range corpus {
		if strings.Contains(wire, c.secret) {
			t.Errorf("%s: the secret left the node", c.name)
		}
		// The part of the secret after its prefix: a partial mask leaks too.
		if strings.Contains(wire, c.secret[len("sk-live-00-"):]) {
			t.Errorf("%s: part of the secret left the node", c.name)
		}
	}
	require.Contains(t, wire, `"redaction.masked.count"`, "masked records say so")
}
