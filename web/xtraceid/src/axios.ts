// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';

import { DEFAULT_HEADER, XTraceIdPropagator } from './propagator.js';

/**
 * The parts of an axios instance the interceptor uses (axios itself is not a dependency). Its
 * callbacks take axios' own config and response types, which differ across axios versions:
 * they are typed loosely here so that any AxiosInstance is one.
 */
export interface AxiosLike {
  interceptors: {
    request: {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      use(onFulfilled: (config: any) => any, onRejected?: null, options?: { synchronous?: boolean }): unknown;
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    response: { use(onFulfilled: (response: any) => any, onRejected: (error: unknown) => unknown): unknown };
  };
}

/** The parts of an axios request config the interceptor reads and writes. */
export interface AxiosRequestLike {
  method?: string;
  url?: string;
  headers?: Record<string, unknown> | { set(name: string, value: string): unknown };
}

/** The parts of an axios response the interceptor reads. */
export interface AxiosResponseLike {
  status?: number;
  config?: AxiosRequestLike;
}

/** Options of installTraceIdInterceptor. */
export interface TraceIdInterceptorOptions {
  /** Starts the span of a request made outside any span. Default: trace.getTracer('@otelcol-mlops/xtraceid-web'). */
  tracer?: Tracer;
  /** The legacy header. Default: X-Trace-ID. */
  header?: string;
  /** The name of the span started for a request made outside any span. Default: 'user action'. */
  spanName?: string;
}

// The span the interceptor started for a request, until its response or error arrives.
const startedSpans = new WeakMap<AxiosRequestLike, Span>();

/**
 * Replaces the uuidv4() of a Nuxt/axios "X-Trace-ID" plugin: each request carries the active
 * trace ID as X-Trace-ID (a v4 UUID with UuidTraceIdGenerator) and the W3C traceparent through
 * the registered propagator, so the legacy services' logs and the instrumented services' spans
 * land in the page's trace. A request made outside any span gets a "user action" span of its
 * own, ended when the response (or the error) arrives.
 *
 * With @opentelemetry/instrumentation-fetch or -xml-http-request, make requests inside the
 * span of the user's action (the click handler's): those instrumentations start their request
 * span from the context of the call, not from this interceptor.
 */
export function installTraceIdInterceptor(axios: AxiosLike, options: TraceIdInterceptorOptions = {}): void {
  const tracer = options.tracer ?? trace.getTracer('@otelcol-mlops/xtraceid-web');
  const legacy = new XTraceIdPropagator({ headers: [options.header ?? DEFAULT_HEADER] });
  const spanName = options.spanName ?? 'user action';

  axios.interceptors.request.use((config: AxiosRequestLike) => {
    let ctx = context.active();
    const active = trace.getSpanContext(ctx);
    if (active === undefined || !trace.isSpanContextValid(active)) {
      const span = tracer.startSpan(spanName, { kind: SpanKind.INTERNAL, attributes: requestAttributes(config) }, ctx);
      startedSpans.set(config, span);
      ctx = trace.setSpan(ctx, span);
    }
    const headers: Record<string, string> = {};
    propagation.inject(ctx, headers);
    legacy.inject(ctx, headers, { set: (carrier, key, value) => ((carrier as Record<string, string>)[key] = value) });
    setHeaders(config, headers);
    return config;
    // Synchronous: axios then runs it inside the call, in the caller's context (the click's
    // span); an asynchronous interceptor runs later, where no span is active.
  }, null, { synchronous: true });

  axios.interceptors.response.use(
    (response: AxiosResponseLike) => {
      endSpan(response.config, response.status);
      return response;
    },
    (error: unknown) => {
      const e = error as { config?: AxiosRequestLike; response?: { status?: number } };
      const span = e?.config === undefined ? undefined : startedSpans.get(e.config);
      if (span !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      endSpan(e?.config, e?.response?.status);
      return Promise.reject(error);
    },
  );
}

function requestAttributes(config: AxiosRequestLike): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (config.method) attrs['http.request.method'] = config.method.toUpperCase();
  if (config.url) attrs['url.full'] = config.url;
  return attrs;
}

function setHeaders(config: AxiosRequestLike, headers: Record<string, string>): void {
  const target = config.headers;
  if (target !== undefined && typeof (target as { set?: unknown }).set === 'function') {
    for (const [k, v] of Object.entries(headers)) (target as { set(name: string, value: string): unknown }).set(k, v);
    return;
  }
  config.headers = { ...(target as Record<string, unknown> | undefined), ...headers };
}

function endSpan(config: AxiosRequestLike | undefined, status: number | undefined): void {
  const span = config === undefined ? undefined : startedSpans.get(config);
  if (span === undefined) return;
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  span.end();
  startedSpans.delete(config!);
}
