// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const (
	batchSize  = 200
	sentAtAttr = "bench.sent_unix_nano"
)

// line returns record i of the realistic mix: 40% the example inference record, 10% Lightning
// training records, 30% legacy Python JSON lines with a UUID trace_id, 20% with opaque IDs.
func line(i int) string {
	id := uuid.NewString()
	switch i % 10 {
	case 0, 1, 2, 3:
		return fmt.Sprintf(`{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-%d", "service": "recommendation-model-prod", "environment": "production", "log_level": "INFO", "event_type": "inference_complete", "trace_id": %q, "model_metadata": {"model_name": "collaborative_filtering_v3", "model_version": "3.2.1", "training_date": "2026-02-20", "serving_variant": "prod-shadow-test"}, "request_context": {"user_id": "user_5f2c9e1a", "session_id": "session_3b1d4e2c", "timestamp_ms": 1740648735847, "batch_size": 32}, "input_features": {"feature_vector_hash": "sha256_abc123xyz", "feature_count": 128, "feature_store_latency_ms": 45, "cache_hit": true, "feature_engineering_duration_ms": 12}, "inference_metrics": {"latency_ms": %d, "gpu_memory_mb": 324, "batch_processing_time_ms": 78, "post_processing_time_ms": 9}, "output": {"prediction": [4, 12, 7, 2, 18], "confidence_scores": [0.94, 0.87, 0.76, 0.65, 0.52], "confidence_threshold_applied": 0.50, "items_above_threshold": 5}, "quality_metrics": {"input_tokens": 256, "output_tokens": 12, "perplexity": 2.34}, "anomaly_signals": {"latency_anomalous": false, "confidence_anomalous": false, "drift_score": 0.12}}`, i, id, 60+i%80)
	case 4:
		return fmt.Sprintf(`{"timestamp": "2026-02-27T03:10:44.120311Z", "experiment_id": "exp_2026_02_27_v1", "model_name": "collaborative_filtering_v3", "event_type": "training_epoch_end", "epoch": %d, "global_step": 5600, "metrics": {"train_loss": 0.4127, "val_loss": 0.4581, "learning_rate": 0.0003}, "training_context": {"batch_size": 256, "num_gpus": 4, "world_size": 4, "gradient_accumulation_steps": 2}}`, i%50)
	case 5, 6, 7:
		return fmt.Sprintf(`{"timestamp": "2024-05-14 10:03:22,501", "level": "INFO", "worker_id": "gpu-worker-7", "trace_id": %q, "message": "Starting processing for model: resnet50"}`, id)
	default:
		return fmt.Sprintf(`{"timestamp": "2024-05-14 10:03:21,522", "level": "INFO", "message": "Received request to create training job.", "trace_id": "job-%d-%s"}`, i, id[:8])
	}
}

func logBatch(seed int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "ml-worker-"+strconv.Itoa(seed))
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range batchSize {
		rec := recs.AppendEmpty()
		rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		rec.Body().SetStr(line(seed*batchSize + i))
	}
	return ld
}

func spanBatch(seed int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "model-registry-"+strconv.Itoa(seed))
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range 20 {
		s := spans.AppendEmpty()
		s.SetName("GET /models/{name}")
		s.SetTraceID(pcommon.TraceID(uuid.New()))
		s.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(i + 1)})
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Now().Add(time.Millisecond)))
		s.Attributes().PutStr("trace_id", uuid.NewString())
	}
	return td
}

func stamp(attrs pcommon.Map) { attrs.PutInt(sentAtAttr, time.Now().UnixNano()) }

func writeLogFile(path string, lines int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := range lines {
		_, _ = w.WriteString(line(i))
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
