// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/internal/esstandin"
	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/timeparse"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// sendCorpus sends each body as one log record's string body (as an SDK or a sidecar that did
// not parse it would) with its corpus index, in requests of 50.
func sendCorpus(t *testing.T, endpoint string, bodies []string) {
	t.Helper()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	for from := 0; from < len(bodies); from += 50 {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "hostile")
		recs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := from; i < min(from+50, len(bodies)); i++ {
			rec := recs.AppendEmpty()
			rec.Body().SetStr(bodies[i])
			rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
			rec.Attributes().PutInt("corpus.index", int64(i))
		}
		_, err := plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(ld))
		require.NoError(t, err, "records %d.. refused", from)
	}
}

// indexedCorpus waits until every corpus record is a document (or the failure store holds
// it) and returns the documents by corpus index.
func indexedCorpus(t *testing.T, es *esstandin.Server, n int) map[int]map[string]any {
	t.Helper()
	docs := map[int]map[string]any{}
	testutil.Eventually(t, 90*time.Second, func() error {
		for _, d := range es.Docs() {
			if v, ok := esstandin.Field(d.Source, "corpus.index"); ok {
				var i int
				_, _ = fmt.Sscan(fmt.Sprint(v), &i)
				docs[i] = d.Source
			}
		}
		if got := len(docs) + len(es.Failures()); got < n {
			return fmt.Errorf("%d of %d records indexed, %d refused", len(docs), n, len(es.Failures()))
		}
		return nil
	})
	return docs
}

// leaves flattens a JSON value into its leaf paths (arrays are leaves).
func leaves(prefix string, v any, out map[string]any) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		out[prefix] = v
		return
	}
	for k, sub := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		leaves(p, sub, out)
	}
}

// instant parses a timestamp as ml_schema does (UTC for zoneless ones).
func instant(v any) (string, bool) {
	var val pcommon.Value
	switch x := v.(type) {
	case string:
		val = pcommon.NewValueStr(x)
	case float64:
		val = pcommon.NewValueDouble(x)
	default:
		return "", false
	}
	t, _, err := timeparse.ValueIn(val, time.UTC)
	if err != nil {
		return "", false
	}
	return t.UTC().Format(time.RFC3339Nano), true
}

// assertKept checks that Elasticsearch refused nothing and that every value each record sent
// is in its document; a body that is not a JSON object is the document's message.
func assertKept(t *testing.T, es *esstandin.Server, bodies []string, skip map[int]string) {
	t.Helper()
	docs := indexedCorpus(t, es, len(bodies))
	require.Zero(t, es.Refused(), "documents the shipped template refuses: %v", es.Failures())
	for i, body := range bodies {
		doc, ok := docs[i]
		if !assert.True(t, ok, "record %d is indexed", i) {
			continue
		}
		if why, skipped := skip[i]; skipped {
			t.Logf("record %d: values not compared: %s", i, why)
			continue
		}
		var parsed map[string]any
		if json.Unmarshal([]byte(body), &parsed) != nil {
			assert.Equal(t, strings.ToValidUTF8(body, "\uFFFD"), doc["message"], "record %d: an unparseable body is the message", i)
			continue
		}
		flat := map[string]any{}
		leaves("", parsed, flat)
		for path, v := range flat {
			if err := testutil.FindOriginal(doc, path, v, legacyid.DefaultKeys, instant); err != nil {
				t.Errorf("record %d (%.100s): %s = %.80v: %v", i, body, path, v, err)
			}
		}
	}
}

// The hostile corpus through the shipped gateway into the stand-in with the shipped template:
// every record indexed, none refused, every value found in its document.
func TestHostileCorpusKeptByElasticsearch(t *testing.T) {
	es := startStandin(t)
	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	corpus := hostileCorpus(t)
	sendCorpus(t, g.OTLPGRPC, corpus)
	skip := map[int]string{}
	for i, body := range corpus {
		if strings.Contains(body, `"deep": [[[`) {
			skip[i] = "ml_schema keeps nesting deeper than its max_depth (16) as JSON text, by design"
		}
	}
	assertKept(t, es, corpus, skip)
	require.NoError(t, g.WaitHTTP(g.HealthURL, 5*time.Second), "the gateway is still healthy")
}

// mappingCorpus is a record per mapped field per value of the wrong type for it, the ECS-name
// collisions, huge values, and every timestamp shape the seeds show.
func mappingCorpus() []string {
	var paths []string
	var walk func(n *schema.ESNode, prefix string)
	walk = func(n *schema.ESNode, prefix string) {
		for name, child := range n.Children {
			if child.Disabled {
				continue
			}
			paths = append(paths, prefix+name)
			if child.Type == "object" {
				walk(child, prefix+name+".")
			}
		}
	}
	walk(schema.ElasticsearchTree(schema.Default()), "")
	sort.Strings(paths)
	wrong := []string{`"fast"`, `{"a": 1}`, `[{"a": 1}]`, `true`, `"yes"`, `"NaN"`, `1.5`, `-9.3e18`, `1e300`,
		`"` + strings.Repeat("x", 2000) + `"`, `[1, "two", {}]`, `""`, `"2026-02-27 14:32:15,847"`}
	var out []string
	for _, p := range paths {
		for _, v := range wrong {
			nested := v
			parts := strings.Split(p, ".")
			for i := len(parts) - 1; i > 0; i-- {
				nested = `{"` + parts[i] + `": ` + nested + `}`
			}
			out = append(out, `{"event_type": "inference_complete", "request_id": "r-1", "`+parts[0]+`": `+nested+`}`)
		}
	}
	// ECS names given other meanings, as application logs do.
	out = append(out,
		`{"trace": "t", "span": "s", "log": "l", "event": "e", "host": 7, "error": "boom", "labels": "x"}`,
		`{"message": {"text": "an object"}, "service": {"name": 5}}`,
		`{"message": "m", "trace.id": "not-hex", "span.id": 12, "log.level": ["a"], "event.severity": "high"}`,
		`{"data_stream": "x", "@timestamp": "yesterday"}`,
		`{"request_id": "`+strings.Repeat("9", 40000)+`", "model_metadata": {"model_name": "`+strings.Repeat("m", 40000)+`"}, "event_type": "inference_complete"}`,
		// Keywords over ignore_above (1024 characters) in multi-byte text: Elasticsearch keeps
		// them whole in _source, so must we — at, over and far over the limit, and up to
		// ml_schema's own limit of 32 KiB.
		`{"request_id": "`+strings.Repeat("文", 600)+`", "service": "`+strings.Repeat("é", 1025)+`", "event_type": "inference_complete"}`,
		`{"request_id": "`+strings.Repeat("🙂", 513)+`", "model_metadata": {"model_name": "`+strings.Repeat("文", 10922)+`"}, "event_type": "inference_complete"}`,
		`{"request_id": "`+strings.Repeat("x", 32768)+`", "model_metadata": {"model_version": "`+strings.Repeat("文", 1024)+`"}, "event_type": "inference_complete"}`,
	)
	// Every timestamp shape of the seeds (ISO with Z, with offset and microseconds, without a
	// zone, Python's asctime with a comma, epoch seconds and milliseconds), and broken ones.
	for _, ts := range []string{`"2026-02-27T14:32:15.847Z"`, `"2026-02-27T22:15:30.123456+00:00"`, `"2026-02-27T22:15:30.123456"`,
		`"2024-05-14 10:03:21,524"`, `"2024-05-14 10:03:21.524"`, `1740648735.847`, `1740648735847`,
		`"99999-01-01T00:00:00Z"`, `"2026-02-30T00:00:00Z"`, `{"seconds": 1}`, `-5`, `1e30`} {
		out = append(out, `{"timestamp": `+ts+`, "level": "INFO", "message": "timestamp shape"}`)
	}
	return out
}

func TestEveryMappingConflictKeptByElasticsearch(t *testing.T) {
	es := startStandin(t)
	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	corpus := mappingCorpus()
	sendCorpus(t, g.OTLPGRPC, corpus)
	assertKept(t, es, corpus, nil)
}

// A cluster whose template the gateway's documents do not fit — here an older template that
// maps the seed's `service` as a keyword, which every document's ECS service.name contradicts:
// Elasticsearch refuses each document, the shipped template's failure store keeps it with its
// error and original source, and the gateway counts it where a user can alert on it.
func TestRefusedDocumentsKeptInTheFailureStore(t *testing.T) {
	es, err := esstandin.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = es.Close() })
	raw, err := os.ReadFile(filepath.Join(collectortest.RepoRoot(t), "configs", "elasticsearch", "ml-logs-index-template.json"))
	require.NoError(t, err)
	var tmpl map[string]any
	require.NoError(t, json.Unmarshal(raw, &tmpl))
	props := tmpl["template"].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	props["service"] = map[string]any{"type": "keyword"}
	body, _ := json.Marshal(tmpl)
	status, answer, err := esstandin.Put(es.URL()+"/_index_template/"+esstandin.TemplateName, body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, answer)

	g := startFaultGateway(t, es)
	t.Cleanup(func() { _ = g.Stop(20 * time.Second) })
	sendLog(t, g.OTLPGRPC, `{"level": "ERROR", "message": "job failed", "trace_id": "job-1"}`, "job-1")
	testutil.Eventually(t, 60*time.Second, func() error {
		if n := len(es.Failures()); n < 2 {
			return fmt.Errorf("%d documents in the failure store", n)
		}
		return nil
	})
	assert.Empty(t, es.Docs())
	f := es.Failures()[0].Source
	assert.Equal(t, "document_parsing_exception", f["error"].(map[string]any)["type"])
	assert.Contains(t, f["document"].(map[string]any)["source"], `"service.name":"smoke-test"`, "the document as sent")
	testutil.Eventually(t, 30*time.Second, func() error {
		stored, err := processes.MetricSum(g.TelemetryURL, "otelcol_elasticsearch_docs_processed", `outcome="failure_store"`)
		if err == nil && stored == 2 {
			return nil
		}
		return fmt.Errorf("otelcol_elasticsearch_docs_processed{outcome=\"failure_store\"} is %v, not 2 (%v)", stored, err)
	})
}
