// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package traceidbridge

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The seed incident's IDs: the UI mints a UUID X-Trace-ID, the first version of the UI minted
// opaque ones like xyz-123.
const (
	jobUUID        = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"
	jobTraceHex    = "4bf92f3577b34da6a3ce929d0e0e4736"
	opaqueID       = "xyz-123"
	traceparentHdr = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
)

var baseTime = time.Date(2024, 5, 14, 10, 3, 21, 512_000_000, time.UTC)

func ts(offsetMS int) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(baseTime.Add(time.Duration(offsetMS) * time.Millisecond))
}

func traceIDFromHex(s string) pcommon.TraceID {
	var id pcommon.TraceID
	for i := range id {
		id[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return id
}

func spanIDFromHex(s string) pcommon.SpanID {
	var id pcommon.SpanID
	for i := range id {
		id[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return id
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

func addResourceLogs(ld plog.Logs, service string) plog.LogRecordSlice {
	rl := ld.ResourceLogs().AppendEmpty()
	if service != "" {
		rl.Resource().Attributes().PutStr("service.name", service)
	}
	return rl.ScopeLogs().AppendEmpty().LogRecords()
}

func addLog(recs plog.LogRecordSlice, offsetMS int, body string) plog.LogRecord {
	rec := recs.AppendEmpty()
	rec.SetTimestamp(ts(offsetMS))
	rec.Body().SetStr(body)
	return rec
}

// seedLogs is the incident of seed 000 as the collector receives it, plus the shapes the
// bridge must handle: Python asctime JSON lines, worker lines parsed into attributes by
// filelog, an OTel SDK service, a map body, the seed's broken JSON.
func seedLogs() plog.Logs {
	ld := plog.NewLogs()

	ui := addResourceLogs(ld, "nuxt-ui")
	addLog(ui, 0, "[Tracing] Generated Trace ID: xyz-123 for URL: /jobs").Attributes().PutStr("X-Trace-ID", opaqueID)
	addLog(ui, 1, "[Tracing] Generated Trace ID: "+jobUUID+" for URL: /jobs").Attributes().PutStr("x-trace-id", jobUUID)

	api := addResourceLogs(ld, "azure-function-api")
	addLog(api, 10, `{"timestamp": "2024-05-14 10:03:21,522", "level": "INFO", "message": "Received request to create training job.", "trace_id": "`+jobUUID+`"}`)
	addLog(api, 11, `{"timestamp": "2024-05-14 10:03:21,523", "level": "INFO", "message": "Publishing job for model 'fail-me' to Pub/Sub topic 'training-jobs'.", "trace_id": "`+jobUUID+`"}`)
	// Python's Formatter does not escape the quotes the exception text carries.
	addLog(api, 12, `{"timestamp": "2024-05-14 10:03:21,524", "level": "CRITICAL", "message": "Pub/Sub publish failed: 503 "Service Unavailable"", "trace_id": "`+jobUUID+`"}`)

	worker := addResourceLogs(ld, "ml-worker")
	for i, line := range []struct{ level, traceID, msg string }{
		{"INFO", "worker-startup", "Worker 'gpu-worker-7' starting up. Listening for messages on 'projects/p/subscriptions/jobs-sub'..."},
		{"INFO", jobUUID, "Received message with ID: 11000000000001"},
		{"ERROR", jobUUID, "An unexpected error occurred during processing: Simulated model training failure: Invalid dataset."},
		{"INFO", "NO_TRACE_ID", "Received message with ID: 11000000000002"},
	} {
		rec := addLog(worker, 1000+i, line.msg)
		rec.Attributes().PutStr("timestamp", "2024-05-14 10:03:22,50"+string(rune('0'+i)))
		rec.Attributes().PutStr("level", line.level)
		rec.Attributes().PutStr("worker_id", "gpu-worker-7")
		rec.Attributes().PutStr("trace_id", line.traceID)
	}

	sdk := addResourceLogs(ld, "model-server")
	conflicting := addLog(sdk, 2000, "cache lookup")
	conflicting.SetTraceID(traceIDFromHex("5b8efff798038103d269b633813fc60c"))
	conflicting.SetSpanID(spanIDFromHex("eee19b7ec3c1b174"))
	conflicting.Attributes().PutStr("request_id", "req-8f4c2a")
	agreeing := addLog(sdk, 2001, "inference done")
	agreeing.SetTraceID(traceIDFromHex(jobTraceHex))
	agreeing.SetSpanID(spanIDFromHex("eee19b7ec3c1b174"))
	agreeing.Attributes().PutStr("trace_id", jobTraceHex)
	addLog(sdk, 2002, "downstream call").Attributes().PutStr("traceparent", traceparentHdr)
	addLog(sdk, 2003, "http request").Attributes().PutEmptySlice("http.request.header.x-trace-id").AppendEmpty().SetStr(jobUUID)
	mapBody := addLog(sdk, 2004, "")
	mapBody.Body().SetEmptyMap().PutStr("event", "cache_lookup")
	mapBody.Body().Map().PutInt("correlation_id", 12345)
	mapBody.Body().Map().PutEmptyMap("context").PutStr("correlation_id", "req-nested-1")
	addLog(sdk, 2005, "trace_id of the wrong type").Attributes().PutEmptyMap("trace_id").PutStr("value", "x")

	return ld
}

// seedTraces: a worker instrumented with OTel whose consumer span carries the Pub/Sub
// message's legacy trace_id attribute, its child, and an unrelated trace.
func seedTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "ml-worker")
	spans := rs.ScopeSpans().AppendEmpty().Spans()

	workerTrace := traceIDFromHex("2b2d7a5e1ae0c2a9f8f0d4c7e5b1a3d9")
	receive := spans.AppendEmpty()
	receive.SetName("jobs-sub process")
	receive.SetKind(ptrace.SpanKindConsumer)
	receive.SetTraceID(workerTrace)
	receive.SetSpanID(spanIDFromHex("1111111111111111"))
	receive.SetStartTimestamp(ts(1000))
	receive.SetEndTimestamp(ts(1500))
	receive.Attributes().PutStr("messaging.system", "gcp_pubsub")
	receive.Attributes().PutStr("trace_id", jobUUID)

	train := spans.AppendEmpty()
	train.SetName("train")
	train.SetTraceID(workerTrace)
	train.SetSpanID(spanIDFromHex("2222222222222222"))
	train.SetParentSpanID(receive.SpanID())
	train.SetStartTimestamp(ts(1010))
	train.SetEndTimestamp(ts(1490))

	other := spans.AppendEmpty()
	other.SetName("healthz")
	other.SetTraceID(traceIDFromHex("9f0e8d7c6b5a49382716059483726150"))
	other.SetSpanID(spanIDFromHex("3333333333333333"))
	other.SetStartTimestamp(ts(1200))
	other.SetEndTimestamp(ts(1201))

	already := spans.AppendEmpty()
	already.SetName("already bridged")
	already.SetTraceID(traceIDFromHex(jobTraceHex))
	already.SetSpanID(spanIDFromHex("4444444444444444"))
	already.Attributes().PutStr("trace_id", jobUUID)
	return td
}

// seedMetrics: a request counter whose points carry a request ID (the cardinality bomb),
// a latency histogram with a trace_id, and a summary (which cannot hold exemplars).
func seedMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "model-server")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()

	sum := ms.AppendEmpty()
	sum.SetName("inference.requests")
	sum.SetEmptySum().SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	withID := sum.Sum().DataPoints().AppendEmpty()
	withID.SetTimestamp(ts(3000))
	withID.SetIntValue(1)
	withID.Attributes().PutStr("model", "resnet50")
	withID.Attributes().PutStr("request_id", "req-8f4c2a")
	noID := sum.Sum().DataPoints().AppendEmpty()
	noID.SetTimestamp(ts(3000))
	noID.SetIntValue(41)
	noID.Attributes().PutStr("model", "bert")

	hist := ms.AppendEmpty()
	hist.SetName("inference.latency")
	hist.SetUnit("ms")
	hist.SetEmptyHistogram().SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	hp := hist.Histogram().DataPoints().AppendEmpty()
	hp.SetTimestamp(ts(3000))
	hp.SetCount(4)
	hp.SetSum(500)
	hp.ExplicitBounds().FromRaw([]float64{100, 250})
	hp.BucketCounts().FromRaw([]uint64{2, 1, 1})
	hp.Attributes().PutStr("trace_id", jobUUID)

	summary := ms.AppendEmpty()
	summary.SetName("queue.wait")
	sp := summary.SetEmptySummary().DataPoints().AppendEmpty()
	sp.SetTimestamp(ts(3000))
	sp.SetCount(1)
	sp.SetSum(2)
	sp.Attributes().PutStr("trace_id", jobUUID)
	return md
}
