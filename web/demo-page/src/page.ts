// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// The training UI of the seed's incident: "Run training job" posts the job to the API with
// the Nuxt plugin's axios instance. The page's spans go to the collector's OTLP/HTTP receiver
// (cross-origin: the gateway allows this page's origin), and the X-Trace-ID the API and the
// workers log is the page's own trace ID.

import { trace, SpanStatusCode } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { installTraceIdInterceptor, UuidTraceIdGenerator, XTraceIdPropagator } from '@otelcol-mlops/xtraceid-web';
import axios from 'axios';

const params = new URLSearchParams(location.search);
const otlpTraces = params.get('otlp') ?? 'http://127.0.0.1:4318/v1/traces';

const provider = new WebTracerProvider({
  resource: resourceFromAttributes({ 'service.name': params.get('service') ?? 'nuxt-ui' }),
  idGenerator: new UuidTraceIdGenerator(),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: otlpTraces }))],
});
provider.register({
  propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new XTraceIdPropagator()] }),
});

// plugins/axios.ts, after: the interceptor instead of uuidv4().
const api = axios.create({ baseURL: location.origin });
installTraceIdInterceptor(api);

const tracer = trace.getTracer('training-ui');
const status = document.querySelector<HTMLElement>('#status')!;
const model = document.querySelector<HTMLInputElement>('#model')!;

document.querySelector<HTMLButtonElement>('#run')!.addEventListener('click', () => {
  status.textContent = 'running';
  tracer.startActiveSpan('click Run training job', (span) => {
    span.setAttribute('ml.model.name', model.value);
    api
      .post('/api/jobs', { model_name: model.value })
      .then((r) => {
        status.dataset.traceId = span.spanContext().traceId;
        status.dataset.xTraceId = String(r.data.x_trace_id ?? '');
        status.dataset.messageId = String(r.data.message_id ?? '');
      })
      .catch((err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        status.dataset.error = String(err);
      })
      .finally(() => {
        span.end();
        void provider.forceFlush().then(() => (status.textContent = 'done'));
      });
  });
});
