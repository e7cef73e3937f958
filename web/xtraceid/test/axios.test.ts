// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type SpanStatus,
  type Tracer,
} from '@opentelemetry/api';

import { installTraceIdInterceptor, type AxiosLike, type AxiosRequestLike } from '../src/axios.js';
import { UuidTraceIdGenerator } from '../src/idgenerator.js';
import { formatUuid } from '../src/mapping.js';

// A synchronous context manager: enough for code that runs inside context.with.
class StackContextManager implements ContextManager {
  private stack: Context[] = [];
  active(): Context {
    return this.stack[this.stack.length - 1] ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.stack = [];
    return this;
  }
}
context.setGlobalContextManager(new StackContextManager());

interface RecordedSpan {
  name: string;
  ended: boolean;
  status?: SpanStatus;
  attributes: Record<string, unknown>;
  span: Span;
}

// A tracer that records what the interceptor does with its spans.
function recordingTracer(): { tracer: Tracer; spans: RecordedSpan[] } {
  const ids = new UuidTraceIdGenerator();
  const spans: RecordedSpan[] = [];
  const tracer = {
    startSpan(name: string, options?: { attributes?: Record<string, unknown> }, ctx?: Context): Span {
      const parent = ctx ? trace.getSpanContext(ctx) : undefined;
      const sc = { traceId: parent?.traceId ?? ids.generateTraceId(), spanId: ids.generateSpanId(), traceFlags: 1 };
      const rec: RecordedSpan = { name, ended: false, attributes: { ...options?.attributes }, span: undefined as unknown as Span };
      rec.span = {
        spanContext: () => sc,
        setAttribute: (k: string, v: unknown) => ((rec.attributes[k] = v), rec.span),
        setStatus: (s: SpanStatus) => ((rec.status = s), rec.span),
        recordException: () => undefined,
        end: () => void (rec.ended = true),
      } as unknown as Span;
      spans.push(rec);
      return rec.span;
    },
  } as unknown as Tracer;
  return { tracer, spans };
}

// An axios stand-in: the registered interceptors, called as axios calls them.
function fakeAxios() {
  let onRequest!: (c: AxiosRequestLike) => AxiosRequestLike;
  let onResponse!: (r: { status?: number; config?: AxiosRequestLike }) => unknown;
  let onError!: (e: unknown) => unknown;
  const axios: AxiosLike = {
    interceptors: {
      request: {
        use: (f, _r, options) => {
          assert.equal(options?.synchronous, true, 'runs in the caller\'s context');
          onRequest = f;
        },
      },
      response: { use: (f, r) => ((onResponse = f as typeof onResponse), (onError = r)) },
    },
  };
  return {
    axios,
    request: (config: AxiosRequestLike) => onRequest(config),
    respond: (config: AxiosRequestLike, status: number) => onResponse({ status, config }),
    fail: (config: AxiosRequestLike, status: number) => onError(Object.assign(new Error('Request failed'), { config, response: { status } })),
  };
}

const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a request inside the click\'s span carries that trace as X-Trace-ID', () => {
  const { tracer, spans } = recordingTracer();
  const ax = fakeAxios();
  installTraceIdInterceptor(ax.axios, { tracer });
  const click = tracer.startSpan('click Run training job');
  const config = context.with(trace.setSpan(ROOT_CONTEXT, click), () => ax.request({ method: 'post', url: '/api/jobs', headers: {} }));
  assert.equal((config.headers as Record<string, string>)['X-Trace-ID'], formatUuid(click.spanContext().traceId));
  assert.match((config.headers as Record<string, string>)['X-Trace-ID'], V4_UUID);
  assert.equal(spans.length, 1, 'no span of its own inside an active span');
});

test('a request outside any span gets a "user action" span, ended by the response', async () => {
  const { tracer, spans } = recordingTracer();
  const ax = fakeAxios();
  installTraceIdInterceptor(ax.axios, { tracer });
  const set: Record<string, string> = {};
  const config = ax.request({ method: 'get', url: '/api/jobs/1', headers: { set: (k: string, v: string) => (set[k] = v) } });
  assert.equal(spans.length, 1);
  assert.equal(spans[0].name, 'user action');
  assert.equal(spans[0].attributes['http.request.method'], 'GET');
  assert.equal(set['X-Trace-ID'], formatUuid(spans[0].span.spanContext().traceId), 'AxiosHeaders.set is used');
  assert.equal(spans[0].ended, false);
  ax.respond(config, 200);
  assert.equal(spans[0].ended, true);
  assert.equal(spans[0].attributes['http.response.status_code'], 200);

  const failed = ax.request({ method: 'post', url: '/api/jobs' });
  await assert.rejects(async () => ax.fail(failed, 503));
  assert.equal(spans[1].ended, true);
  assert.equal(spans[1].status?.code, SpanStatusCode.ERROR);
  assert.match((failed.headers as Record<string, string>)['X-Trace-ID'], V4_UUID);
});
