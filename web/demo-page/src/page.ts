// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// The training UI of the example incident: "Run training job" posts the job to the API with
// the Nuxt plugin's axios instance. The page's spans go to the collector's OTLP/HTTP receiver
// (cross-origin: the gateway allows this page's origin), and the X-Trace-ID the API and the
// workers log is the page's own trace ID.

import { context, propagation, trace, SpanStatusCode } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { installTraceIdInterceptor, UuidTraceIdGenerator, XTraceIdPropagator } from '@otelcol-mlops/xtraceid-web';
import axios from 'axios';

const params = new URLSearchParams(location.search);
const otlpTraces = params.get('otlp') ?? 'http://127.0.0.1:4318/v1/traces';
const resource = resourceFromAttributes({ 'service.name': params.get('service') ?? 'nuxt-ui' });

const provider = new WebTracerProvider({
  resource,
  idGenerator: new UuidTraceIdGenerator(),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: otlpTraces }))],
});
const seedPlugin = params.get('plugin') === 'seed';
provider.register({
  propagator: seedPlugin
    ? new W3CTraceContextPropagator()
    : new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new XTraceIdPropagator()] }),
});

// Client-side logs (what the example's UI forwarded to ELK) as OTLP logs: each carries the active
// span's context, so it lands in the job's trace without a legacy ID.
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: otlpTraces.replace(/\/v1\/traces$/, '/v1/logs') }) })],
});
logs.setGlobalLoggerProvider(loggerProvider);
const logger = logs.getLogger('training-ui');
const logError = (message: string) =>
  logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: message, context: context.active() });
window.addEventListener('error', (e) => logError(`uncaught error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => logError(`unhandled rejection: ${String(e.reason)}`));

const api = axios.create({ baseURL: location.origin });
if (seedPlugin) {
  // plugins/axios.ts, before: a fresh random UUID per request beside the SDK's traceparent.
  // The page records the header it sent on its span, as an instrumentation configured to
  // capture request headers does; the gateway's trace_id_bridge links the span to that ID's
  // trace.
  api.interceptors.request.use(
    (config) => {
      const id = crypto.randomUUID();
      config.headers.set('X-Trace-ID', id);
      trace.getActiveSpan()?.setAttribute('http.request.header.x-trace-id', id);
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      for (const [k, v] of Object.entries(carrier)) config.headers.set(k, v);
      return config;
    },
    null,
    { synchronous: true },
  );
} else {
  // plugins/axios.ts, after: the interceptor instead of uuidv4().
  installTraceIdInterceptor(api);
}

const tracer = trace.getTracer('training-ui');
const status = document.querySelector<HTMLElement>('#status')!;
const model = document.querySelector<HTMLInputElement>('#model')!;

document.querySelector<HTMLButtonElement>('#run')!.addEventListener('click', () => {
  status.textContent = 'running';
  tracer.startActiveSpan('click Run training job', (span) => {
    span.setAttribute('ml.model.name', model.value);
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `Run training job clicked for model ${model.value}`,
      attributes: { 'ml.model.name': model.value },
      context: context.active(),
    });
    api
      .post('/api/jobs', { model_name: model.value })
      .then((r) => {
        status.dataset.traceId = span.spanContext().traceId;
        status.dataset.xTraceId = String(r.data.x_trace_id ?? '');
        status.dataset.messageId = String(r.data.message_id ?? '');
      })
      .catch((err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        context.with(trace.setSpan(context.active(), span), () => logError(`POST /api/jobs failed: ${String(err)}`));
        status.dataset.error = String(err);
      })
      .finally(() => {
        span.end();
        // Done once the spans and logs are exported, or refused (a disallowed origin's
        // export is retried until the exporter's timeout): the page never waits forever.
        const flushed = Promise.allSettled([provider.forceFlush(), loggerProvider.forceFlush()]);
        const cap = new Promise((resolve) => setTimeout(resolve, 15_000));
        void Promise.race([flushed, cap]).then(() => (status.textContent = 'done'));
      });
  });
});
