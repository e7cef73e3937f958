// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// seedFilebeatYML is the seed's filebeat.yml (container input, JSON under root, decode errors
// kept) with output.logstash pointed at the gateway: the one line a team changes.
func seedFilebeatYML(logDir, beats string, outputSettings ...string) string {
	return `filebeat.inputs:
  - type: container
    paths: ["` + logDir + `/*.log"]
    json.keys_under_root: true
    json.add_error_key: true
    json.message_key: message
output.logstash:
  hosts: ["` + beats + `"]
  backoff.init: 200ms
  backoff.max: 2s
` + strings.Join(outputSettings, "") + `filebeat.registry.flush: 200ms
queue.mem.flush.timeout: 200ms
logging.level: warning
`
}

// writeJobLines appends jobs×12 CRI lines of the seed's worker, each job under its own
// X-Trace-ID UUID, numbered from seq; it returns the UUIDs.
func writeJobLines(t *testing.T, f *os.File, seq, jobs int) (next int, ids []string) {
	t.Helper()
	for j := range jobs {
		id := fmt.Sprintf("5e1f0c2a-9b3d-4e6f-a7b8-%012x", seq+j)
		ids = append(ids, id)
		for i := range 12 {
			line := fmt.Sprintf(`{"timestamp": "2026-11-23T11:58:06.671Z", "level": "INFO", "service": "ml-worker", "worker_id": "gpu-worker-1", "message": "epoch %d of job", "trace_id": "%s", "seq": %d}`, i, id, seq)
			_, err := fmt.Fprintf(f, "2026-11-23T11:58:%02d.%09dZ stdout F %s\n", i, seq, line)
			require.NoError(t, err)
			seq++
		}
	}
	return seq, ids
}

func seqsIndexed(es *esstandin.Server) map[int]int {
	seen := map[int]int{}
	for _, d := range es.Docs() {
		if v, ok := esstandin.Field(d.Source, "seq"); ok {
			seen[int(toFloat(v))]++
		}
	}
	return seen
}

// The seed's Filebeat, real (7.17.28), shipping CRI container logs through output.logstash to
// the gateway with configs/gateway-logstash.yaml: every line indexed once with its job's
// trace.id, the worker's span in Jaeger; then the gateway SIGKILLed mid-stream and restarted:
// Filebeat resends what was not acknowledged, nothing is lost and nothing indexed twice.
func TestFilebeatShipsThroughTheGateway(t *testing.T) {
	root := collectortest.RepoRoot(t)
	es := startStandin(t)
	jaeger, err := processes.StartJaeger(root)
	require.NoError(t, err)
	t.Cleanup(func() { _ = jaeger.Stop(10 * time.Second) })
	env := map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "ES_ENDPOINT": es.URL(),
		"JAEGER_OTLP_ENDPOINT": jaeger.OTLPGRPC, "JAEGER_INSECURE": "true",
	}
	overlay := filepath.Join(root, "configs", "gateway-logstash.yaml")
	g, err := processes.StartGateway(root, collectortest.Binary(t), env, overlay)
	require.NoError(t, err)
	env["GATEWAY_BEATS_ENDPOINT"], env["GATEWAY_OTLP_GRPC_ENDPOINT"] = g.Beats, g.OTLPGRPC
	env["GATEWAY_PEERS"] = "[" + g.OTLPGRPC + "]"

	logDir := t.TempDir()
	logFile, err := os.Create(filepath.Join(logDir, "gpu-worker-1_ml_worker-3f2a.log"))
	require.NoError(t, err)
	defer func() { _ = logFile.Close() }()
	seq, ids := writeJobLines(t, logFile, 0, 3)
	fb, err := processes.StartFilebeat(root, t.TempDir(), seedFilebeatYML(logDir, g.Beats))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = fb.Stop(10 * time.Second)
		if t.Failed() {
			t.Logf("filebeat:\n%s", fb.Output())
		}
	})

	testutil.Eventually(t, 60*time.Second, func() error {
		if n := len(seqsIndexed(es)); n < seq {
			return fmt.Errorf("%d of %d lines indexed", n, seq)
		}
		return nil
	})
	for _, id := range ids {
		docs := docsFor(es, traceHex(id))
		assert.Len(t, docs, 12, "the job's 12 lines under its trace.id")
		for _, d := range docs {
			path, _ := esstandin.Field(d.Source, "log.file.path")
			assert.True(t, strings.HasSuffix(fmt.Sprint(path), "gpu-worker-1_ml_worker-3f2a.log"), "log.file.path: %v", path)
			svc, _ := esstandin.Field(d.Source, "service.name")
			assert.Equal(t, "ml-worker", svc)
		}
	}
	testutil.Eventually(t, 60*time.Second, func() error {
		spans, err := jaeger.Trace(traceHex(ids[0]))
		for _, s := range spans {
			if s.Service == "ml-worker" {
				return nil
			}
		}
		return fmt.Errorf("no ml-worker span from the Filebeat lines yet (%v)", err)
	})

	// The gateway dies with Filebeat's windows in flight: it is restarted with its owner for
	// every trace (the peer the hand-off goes to) down, so the windows Filebeat sends wait in
	// the hand-off's retries, held open by keepalives, unacknowledged. SIGKILL, then a restart
	// on the same ports and data directory with the peer back: Filebeat resends what was not
	// acknowledged.
	g.Kill()
	downPeer, err := processes.FreeAddr()
	require.NoError(t, err)
	peerAttempts, _ := refuseConnections(t, downPeer)
	held := map[string]string{}
	for k, v := range env {
		held[k] = v
	}
	held["GATEWAY_PEERS"] = "[" + downPeer + "]"
	g2, err := processes.StartGateway(root, collectortest.Binary(t), held, overlay)
	require.NoError(t, err)
	total, _ := writeJobLines(t, logFile, seq, 4)
	testutil.Eventually(t, 60*time.Second, func() error {
		if n := peerAttempts(); n < 3 {
			return fmt.Errorf("%d hand-off attempts to the owner so far", n)
		}
		return nil
	})
	assert.Less(t, len(seqsIndexed(es)), total, "the windows in flight are not indexed yet")
	g2.Kill()
	startGatewayLogged(t, env, overlay)
	testutil.Eventually(t, 120*time.Second, func() error {
		if n := len(seqsIndexed(es)); n < total {
			return fmt.Errorf("%d of %d lines indexed after the gateway's restart", n, total)
		}
		return nil
	})
	seen := seqsIndexed(es)
	twice := 0
	for s := range total {
		assert.Positive(t, seen[s], "line %d lost", s)
		if seen[s] > 1 {
			twice++
		}
	}
	assert.Zero(t, twice, "lines indexed twice (Filebeat's resends carry their file offset, hence their document ID)")
	t.Logf("%d lines; %d resent lines refused as duplicates by document ID", total, es.Conflicts())
}

// The seed's Azure Function forwarder wrote json_lines to Logstash's tcp input on port 5000;
// the same bytes to configs/gateway-logstash.yaml's json_lines input land in Elasticsearch
// under the job's trace.id, a line split across writes recombined.
func TestJSONLinesOverTCPThroughTheGateway(t *testing.T) {
	root := collectortest.RepoRoot(t)
	es := startStandin(t)
	g := startGatewayLogged(t, map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": "127.0.0.1:1", "JAEGER_INSECURE": "true",
	}, filepath.Join(root, "configs", "gateway-logstash.yaml"))
	id := "9c8b7a65-4321-4fed-8cba-0987654321fe"
	conn, err := net.Dial("tcp", g.JSONLines)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	for i := range 5 {
		line := fmt.Sprintf(`{"asctime": "2026-11-23 11:58:06,65%d", "levelname": "INFO", "name": "azure-function-api", "service": "azure-function-api", "message": "step %d", "trace_id": "%s", "seq": %d}`+"\n", i, i, id, i)
		half := len(line) / 2
		_, err := conn.Write([]byte(line[:half]))
		require.NoError(t, err)
		time.Sleep(20 * time.Millisecond)
		_, err = conn.Write([]byte(line[half:]))
		require.NoError(t, err)
	}
	testutil.Eventually(t, 60*time.Second, func() error {
		if n := len(docsFor(es, traceHex(id))); n < 5 {
			return fmt.Errorf("%d of 5 json_lines indexed under the job's trace.id", n)
		}
		return nil
	})
	for _, d := range docsFor(es, traceHex(id)) {
		svc, _ := esstandin.Field(d.Source, "service.name")
		assert.Equal(t, "azure-function-api", svc)
		_, parsed := esstandin.Field(d.Source, "seq")
		assert.True(t, parsed, "the line's fields are document fields: %v", d.Source)
	}
}

// Logstash's beats input with ssl_verify_mode => force_peer, as the overlay's tls block: a real
// Filebeat with a client certificate the CA signed ships over TLS; one without a certificate
// is refused at the handshake and nothing it read is indexed.
func TestFilebeatOverTLSNeedsItsClientCertificate(t *testing.T) {
	root := collectortest.RepoRoot(t)
	es := startStandin(t)
	dir := t.TempDir()
	pki := testutil.WritePKI(t, dir)
	tlsOverlay := filepath.Join(dir, "beats-tls.yaml")
	require.NoError(t, os.WriteFile(tlsOverlay, []byte(`receivers:
  beats:
    tls:
      cert_file: `+pki.ServerCert+`
      key_file: `+pki.ServerKey+`
      client_ca_file: `+pki.CAFile+`
`), 0o600))
	g := startGatewayLogged(t, map[string]string{
		"OTELCOL_MLOPS_DATA_DIR": t.TempDir(), "ES_ENDPOINT": es.URL(), "JAEGER_OTLP_ENDPOINT": "127.0.0.1:1", "JAEGER_INSECURE": "true",
	}, filepath.Join(root, "configs", "gateway-logstash.yaml"), tlsOverlay)

	ship := func(name string, seq int, sslClient string) (*processes.Process, string) {
		logDir := t.TempDir()
		f, err := os.Create(filepath.Join(logDir, name+".log"))
		require.NoError(t, err)
		_, ids := writeJobLines(t, f, seq, 1)
		require.NoError(t, f.Close())
		cfg := seedFilebeatYML(logDir, g.Beats, "  ssl.certificate_authorities: [\""+pki.CAFile+"\"]\n", sslClient)
		fb, err := processes.StartFilebeat(root, t.TempDir(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = fb.Stop(10 * time.Second)
			if t.Failed() {
				t.Logf("filebeat %s:\n%s", name, fb.Output())
			}
		})
		return fb, ids[0]
	}
	_, withCert := ship("with-cert", 0, "  ssl.certificate: \""+pki.ClientCert+"\"\n  ssl.key: \""+pki.ClientKey+"\"\n")
	without, withoutCert := ship("without-cert", 1000, "")
	testutil.Eventually(t, 60*time.Second, func() error {
		if n := len(docsFor(es, traceHex(withCert))); n < 12 {
			return fmt.Errorf("%d of 12 lines of the Filebeat with a certificate indexed", n)
		}
		return nil
	})
	testutil.Eventually(t, 30*time.Second, func() error {
		if !strings.Contains(without.Output(), "certificate") {
			return fmt.Errorf("the Filebeat without a certificate has not reported the refusal yet")
		}
		return nil
	})
	assert.Empty(t, docsFor(es, traceHex(withoutCert)), "nothing from the Filebeat without a certificate")
}
