// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package seedstack is the example incident (a training job that vanished) as small Go services: a UI that mints an
// X-Trace-ID UUID, an API that logs it as trace_id (Python asctime JSON lines) and publishes
// the job to Pub/Sub with a trace_id attribute, GPU workers that log with worker_id and fail
// on the "fail-me" model, a model server that logs an inference record, and one service
// instrumented with OpenTelemetry and the xtraceid propagator. Their logs go to the gateway
// over OTLP as raw JSON lines, as a log shipper would send them. `make demo` and the
// end-to-end tests run it.
package seedstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid"
)

// Topology names, shared with configs/gateway.yaml's defaults.
const (
	JobsTopic          = "training-jobs"
	DeadLetterTopic    = "training-jobs-dead-letter"
	WorkersSub         = "training-jobs-workers"
	JobsTap            = "training-jobs-otel-tap"
	DeadLetterTap      = "training-jobs-dead-letter-otel-tap"
	MaxDeliveryAttempt = 5
	RegistryService    = "model-registry"
	// CloudLoggingTopic is a Log Router sink's topic; CloudLoggingSub is the gateway's
	// subscription to it (configs/gateway-cloud-logging.yaml).
	CloudLoggingTopic = "gke-container-logs"
	CloudLoggingSub   = "gke-container-logs-otel"
	// CloudLoggingWorker is the GPU worker that logs the Cloud Logging way when the stack is
	// started WithCloudLogging: GKE's agent reads its stdout, a sink publishes the entries.
	CloudLoggingWorker = "gpu-worker-2"
)

// Stack is a running example stack.
type Stack struct {
	project  string
	ps       *pubsub.Client
	logConn  *grpc.ClientConn
	tp       *sdktrace.TracerProvider
	registry *httptest.Server
	prop     propagation.TextMapPropagator
	workers  sync.WaitGroup
	cancel   context.CancelFunc
	// cloudLogging: CloudLoggingWorker's lines go to CloudLoggingTopic as LogEntries.
	cloudLogging bool
	// pods, when set, is where the legacy services write their stdout as container log files.
	pods *podLogs

	loggedMu sync.Mutex
	logged   []Line
}

// Line is one log line a service of the stack wrote, by any route.
type Line struct {
	Service, Replica, Route, Text string
}

// Logged returns every line the stack's services wrote so far.
func (s *Stack) Logged() []Line {
	s.loggedMu.Lock()
	defer s.loggedMu.Unlock()
	return append([]Line(nil), s.logged...)
}

func (s *Stack) record(service, replica, route, text string) {
	s.loggedMu.Lock()
	defer s.loggedMu.Unlock()
	s.logged = append(s.logged, Line{Service: service, Replica: replica, Route: route, Text: text})
}

// Option changes how the stack is started.
type Option func(*Stack)

// WithContainerLogs makes the legacy services write their lines the way a container runtime
// stores a pod's stdout on its node: CRI lines in dir/<namespace>_<pod>_<uid>/<container>/0.log
// (dir is a /var/log/pods-shaped folder for an agent to tail). Only the instrumented service
// still speaks OTLP.
func WithContainerLogs(dir string) Option { return func(s *Stack) { s.pods = newPodLogs(dir) } }

// WithCloudLogging makes CloudLoggingWorker log the way a GKE pod's stdout reaches a Log
// Router sink: one Cloud Logging LogEntry per line, published to CloudLoggingTopic.
func WithCloudLogging() Option { return func(s *Stack) { s.cloudLogging = true } }

// Dial connects a Pub/Sub client to a local emulator (pstest) at addr: plaintext, no
// credentials.
func Dial(ctx context.Context, addr, project string) (*pubsub.Client, error) {
	return pubsub.NewClient(ctx, project, option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
}

// CreateTopology creates the topics and subscriptions: the workers' subscription with a
// dead-letter policy, and the two otel taps.
func CreateTopology(ctx context.Context, ps *pubsub.Client, project string) error {
	topic := func(id string) string { return "projects/" + project + "/topics/" + id }
	sub := func(id string) string { return "projects/" + project + "/subscriptions/" + id }
	for _, t := range []string{JobsTopic, DeadLetterTopic, CloudLoggingTopic} {
		if _, err := ps.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: topic(t)}); err != nil {
			return err
		}
	}
	for _, s := range []*pubsubpb.Subscription{
		{Name: sub(WorkersSub), Topic: topic(JobsTopic), AckDeadlineSeconds: 10,
			DeadLetterPolicy: &pubsubpb.DeadLetterPolicy{DeadLetterTopic: topic(DeadLetterTopic), MaxDeliveryAttempts: MaxDeliveryAttempt}},
		{Name: sub(JobsTap), Topic: topic(JobsTopic), AckDeadlineSeconds: 10},
		{Name: sub(DeadLetterTap), Topic: topic(DeadLetterTopic), AckDeadlineSeconds: 10},
		{Name: sub(CloudLoggingSub), Topic: topic(CloudLoggingTopic), AckDeadlineSeconds: 60},
	} {
		if _, err := ps.SubscriptionAdminClient.CreateSubscription(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// Start connects the stack to the gateway's OTLP/gRPC endpoint and to Pub/Sub, and starts
// the instrumented model registry and the workers.
func Start(ctx context.Context, gatewayOTLP string, ps *pubsub.Client, project string, workers int, opts ...Option) (*Stack, error) {
	conn, err := grpc.NewClient(gatewayOTLP, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(gatewayOTLP), otlptracegrpc.WithInsecure())
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(200*time.Millisecond)),
		sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(RegistryService))))
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{},
		xtraceid.New(xtraceid.WithUpstreamService("azure-function-api")))
	s := &Stack{project: project, ps: ps, logConn: conn, tp: tp, prop: prop}
	for _, o := range opts {
		o(s)
	}
	s.registry = httptest.NewServer(otelhttp.NewHandler(http.HandlerFunc(s.registryHandler), "GET /models/{name}",
		otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop)))
	wctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for i := range workers {
		s.workers.Add(1)
		go func() { defer s.workers.Done(); s.worker(wctx, fmt.Sprintf("gpu-worker-%d", i+1)) }()
	}
	return s, nil
}

// Stop stops the workers and flushes the instrumented service's spans.
func (s *Stack) Stop(ctx context.Context) error {
	s.cancel()
	s.workers.Wait()
	s.registry.Close()
	err := s.tp.Shutdown(ctx)
	if s.pods != nil {
		err = errors.Join(err, s.pods.close())
	}
	return errors.Join(err, s.logConn.Close())
}

// Job is one run of the incident.
type Job struct {
	TraceID   string // the UI's X-Trace-ID
	Model     string
	MessageID string
}

// RunJob is the data scientist clicking "Run Training Job": UI → API → (registry, Pub/Sub).
func (s *Stack) RunJob(ctx context.Context, model string) (Job, error) {
	job := Job{TraceID: uuid.NewString(), Model: model}
	if err := s.log(ctx, "nuxt-ui", fmt.Sprintf(`{"timestamp": %q, "level": "INFO", "message": "[Tracing] Generated Trace ID: %s for URL: /jobs", "X-Trace-ID": %q}`,
		isoNow(), job.TraceID, job.TraceID)); err != nil {
		return job, err
	}
	id, err := s.api(ctx, job)
	job.MessageID = id
	return job, err
}

// APIHandler serves the example's training UI (the built page in pageDir, web/demo-page/dist) and the API
// it calls: POST /api/jobs takes {"model_name": ...} and the X-Trace-ID the page sends, which
// the API logs and publishes as the job's trace_id, as the example's Azure Function does. It
// answers {"x_trace_id": ..., "message_id": ...}.
func (s *Stack) APIHandler(pageDir string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServer(http.Dir(pageDir)))
	mux.HandleFunc("POST /api/jobs", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ModelName string `json:"model_name"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil || body.ModelName == "" {
			http.Error(w, `{"error": "model_name is required"}`, http.StatusBadRequest)
			return
		}
		job := Job{TraceID: r.Header.Get("X-Trace-ID"), Model: body.ModelName}
		if job.TraceID == "" {
			job.TraceID = uuid.NewString() // the example API mints one for callers without it
		}
		id, err := s.api(r.Context(), job)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"x_trace_id": job.TraceID, "message_id": id})
	})
	return mux
}

// api is the example's Azure Function: logs with asctime, checks the model with the
// registry, publishes the job with a trace_id attribute.
func (s *Stack) api(ctx context.Context, job Job) (string, error) {
	logLine := func(level, msg string) error {
		return s.log(ctx, "azure-function-api", fmt.Sprintf(`{"timestamp": %q, "level": %q, "message": %q, "trace_id": %q}`, asctimeNow(), level, msg, job.TraceID))
	}
	if err := logLine("INFO", "Received request to create training job."); err != nil {
		return "", err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.registry.URL+"/models/"+job.Model, http.NoBody)
	req.Header.Set("X-Trace-ID", job.TraceID)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
	}
	_ = logLine("INFO", fmt.Sprintf("Publishing job for model '%s' to Pub/Sub topic '%s'.", job.Model, JobsTopic))
	data, _ := json.Marshal(map[string]string{"model_name": job.Model, "dataset_id": "ds-42", "request_time": time.Now().UTC().Format(http.TimeFormat)})
	id, err := s.ps.Publisher(JobsTopic).Publish(ctx, &pubsub.Message{Data: data, Attributes: map[string]string{"trace_id": job.TraceID}}).Get(ctx)
	if err != nil {
		_ = logLine("CRITICAL", "Pub/Sub publish failed: "+err.Error())
		return "", err
	}
	return id, logLine("INFO", fmt.Sprintf("Successfully published message with ID: %s.", id))
}

// registryHandler is the instrumented service: its span joins the legacy trace through the
// propagator, and it logs an inference-style lookup record with the trace context.
func (s *Stack) registryHandler(w http.ResponseWriter, r *http.Request) {
	legacy, _ := xtraceid.LegacyID(r.Context())
	// An instrumented service's logs carry the span context itself, as an OTel log bridge
	// writes them; the legacy ID is just a field. No synthesised span is made for it.
	sc := trace.SpanContextFromContext(r.Context())
	_ = s.logWithContext(r.Context(), RegistryService, sc, fmt.Sprintf(`{"timestamp": %q, "level": "INFO", "message": "model lookup", "x_trace_id": %q}`, isoNow(), legacy))
	_, _ = w.Write([]byte(`{"status": "ready"}`))
}

// worker is the example's GPU worker: logs with worker_id, fails on fail-me and nacks, so the
// job is retried and finally dead-lettered.
func (s *Stack) worker(ctx context.Context, workerID string) {
	sub := s.ps.Subscriber(WorkersSub)
	sub.ReceiveSettings.MaxOutstandingMessages = 4
	_ = sub.Receive(ctx, func(ctx context.Context, m *pubsub.Message) {
		traceID := m.Attributes["trace_id"]
		if traceID == "" {
			traceID = "NO_TRACE_ID"
		}
		logLine := func(level, msg string) {
			line := fmt.Sprintf(`{"timestamp": %q, "level": %q, "worker_id": %q, "trace_id": %q, "message": %q}`, asctimeNow(), level, workerID, traceID, msg)
			if s.cloudLogging && workerID == CloudLoggingWorker {
				if s.logToCloudLogging(context.WithoutCancel(ctx), workerID, level, line) == nil {
					s.record("ml-worker", workerID, "cloud_logging", line)
				}
				return
			}
			_ = s.logAs(context.WithoutCancel(ctx), "ml-worker", workerID, line)
		}
		logLine("INFO", "Received message with ID: "+m.ID)
		var job struct {
			Model string `json:"model_name"`
		}
		if err := json.Unmarshal(m.Data, &job); err != nil {
			logLine("ERROR", "Failed to decode message data. Discarding message.")
			m.Nack()
			return
		}
		logLine("INFO", "Starting processing for model: "+job.Model)
		time.Sleep(300 * time.Millisecond) // the training; long enough for the lease to be confirmed before a nack
		if job.Model == "fail-me" {
			s.inferenceError(context.WithoutCancel(ctx), traceID, job.Model)
			logLine("ERROR", "An unexpected error occurred during processing: Simulated model training failure: Invalid dataset.")
			m.Nack()
			return
		}
		s.inference(context.WithoutCancel(ctx), traceID, job.Model)
		logLine("INFO", "Successfully processed job for model: "+job.Model)
		m.Ack()
	})
}

// inference logs the model server's record for a finished job (the ML log schema).
func (s *Stack) inference(ctx context.Context, traceID, model string) {
	_ = s.log(ctx, "recommendation-model-prod", fmt.Sprintf(`{"timestamp": %q, "request_id": "req-%s", "service": "recommendation-model-prod", "environment": "production", "log_level": "INFO", "event_type": "inference_complete", "trace_id": %q, `+
		`"model_metadata": {"model_name": %q, "model_version": "3.2.1", "serving_variant": "prod"}, "input_features": {"cache_hit": true, "feature_store_latency_ms": 45}, `+
		`"inference_metrics": {"latency_ms": 87}, "output": {"prediction": [4, 12, 7], "confidence_scores": [0.94, 0.87, 0.52]}, "anomaly_signals": {"drift_score": 0.12}}`,
		isoNow(), traceID, traceID, model))
}

// inferenceError is the model server's record of the failed validation run: slow, failed.
func (s *Stack) inferenceError(ctx context.Context, traceID, model string) {
	_ = s.log(ctx, "recommendation-model-prod", fmt.Sprintf(`{"timestamp": %q, "request_id": "req-%s", "service": "recommendation-model-prod", "environment": "production", "log_level": "ERROR", "event_type": "inference_error", "trace_id": %q, `+
		`"model_metadata": {"model_name": %q, "model_version": "0.0.1", "serving_variant": "canary"}, `+
		`"inference_metrics": {"latency_ms": 2400}, "output": {"prediction": [], "confidence_scores": [0.05]}}`,
		isoNow(), traceID, traceID, model))
}

// log ships one raw log line of a service: to its container's log file, or to the gateway.
func (s *Stack) log(ctx context.Context, service, line string) error {
	return s.logAs(ctx, service, service, line)
}

// logAs is log for one replica (pod) of a service.
func (s *Stack) logAs(ctx context.Context, service, replica, line string) error {
	route, err := "container_log", error(nil)
	if s.pods != nil {
		err = s.pods.write(service, replica, line)
	} else {
		route, err = "otlp", s.logWithContext(ctx, service, trace.SpanContext{}, line)
	}
	if err == nil {
		s.record(service, replica, route, line)
	}
	return err
}

// logWithContext ships a log line with a span context, when sc is valid.
func (s *Stack) logWithContext(ctx context.Context, service string, sc trace.SpanContext, line string) error {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	rec.Body().SetStr(line)
	if sc.IsValid() {
		rec.SetTraceID(pcommon.TraceID(sc.TraceID()))
		rec.SetSpanID(pcommon.SpanID(sc.SpanID()))
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := plogotlp.NewGRPCClient(s.logConn).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	return err
}

// logToCloudLogging publishes a worker's stdout line as GKE's agent and a Log Router sink
// would: a LogEntry with the line as jsonPayload, the k8s_container resource and the pod's
// labels, on the sink's topic.
func (s *Stack) logToCloudLogging(ctx context.Context, workerID, level, line string) error {
	now := time.Now().UTC()
	entry, err := json.Marshal(map[string]any{
		"insertId":    uuid.NewString()[:16],
		"jsonPayload": json.RawMessage(line),
		"resource": map[string]any{"type": "k8s_container", "labels": map[string]string{
			"project_id": s.project, "location": "us-central1-a", "cluster_name": "gpu-pool",
			"namespace_name": "ml", "pod_name": workerID + "-7c9f5d-x2vqk", "container_name": "worker",
		}},
		"timestamp":        now.Format(time.RFC3339Nano),
		"receiveTimestamp": now.Add(1200 * time.Millisecond).Format(time.RFC3339Nano),
		"severity":         level,
		"labels":           map[string]string{"k8s-pod/app_kubernetes_io/name": "ml-worker", "k8s-pod/pod-template-hash": "7c9f5d"},
		"logName":          "projects/" + s.project + "/logs/stdout",
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = s.ps.Publisher(CloudLoggingTopic).Publish(ctx, &pubsub.Message{Data: entry,
		Attributes: map[string]string{"logging.googleapis.com/timestamp": now.Format(time.RFC3339Nano)}}).Get(ctx)
	return err
}

func asctimeNow() string { return time.Now().UTC().Format("2006-01-02 15:04:05,000") }
func isoNow() string     { return time.Now().UTC().Format(time.RFC3339Nano) }
