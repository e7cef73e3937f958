// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';

import { UuidTraceIdGenerator } from '../src/idgenerator.js';
import { deriveSpanId, formatUuid, LegacyIdMapping } from '../src/mapping.js';
import { legacyIdFrom, XTraceIdPropagator } from '../src/propagator.js';

const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('trace IDs are v4 UUIDs whose X-Trace-ID maps back to the same trace ID', () => {
  const ids = new UuidTraceIdGenerator();
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const traceId = ids.generateTraceId();
    assert.match(formatUuid(traceId), V4_UUID);
    assert.equal(new LegacyIdMapping().map(formatUuid(traceId))?.traceId, traceId);
    seen.add(traceId);
    assert.match(ids.generateSpanId(), /^(?!0{16})[0-9a-f]{16}$/);
  }
  assert.equal(seen.size, 1000);
});

test('extract maps X-Trace-ID to the bridge\'s trace ID, parented on the caller\'s derived span', () => {
  const p = new XTraceIdPropagator({ upstreamService: 'nuxt-ui' });
  const ctx = p.extract(ROOT_CONTEXT, { 'x-trace-id': 'req-8f4c' }, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  const mapped = new LegacyIdMapping().map('req-8f4c');
  assert.ok(sc && mapped);
  assert.equal(sc.traceId, mapped.traceId);
  assert.equal(sc.spanId, deriveSpanId(mapped.traceId, 'nuxt-ui'));
  assert.equal(sc.traceFlags, TraceFlags.SAMPLED);
  assert.equal(sc.isRemote, true);
  assert.equal(legacyIdFrom(ctx), 'req-8f4c');
});

test('a traceparent wins, as in the Go propagator', () => {
  const p = new XTraceIdPropagator();
  const carrier = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'X-Trace-ID': 'req-1' };
  assert.equal(p.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter), ROOT_CONTEXT);
  const already = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
  assert.equal(p.extract(already, { 'X-Trace-ID': 'req-1' }, defaultTextMapGetter), already);
});

test('headers are read in order, any case, and no-ID values are skipped', () => {
  const p = new XTraceIdPropagator({ headers: ['X-Trace-ID', 'X-Request-ID'], mapping: { noIdValues: ['NO_TRACE_ID'] } });
  const ctx = p.extract(ROOT_CONTEXT, { 'X-TRACE-ID': 'no_trace_id', 'x-request-id': 'abc' }, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(ctx)?.traceId, new LegacyIdMapping().map('abc')?.traceId);
  assert.equal(p.extract(ROOT_CONTEXT, {}, defaultTextMapGetter), ROOT_CONTEXT);
});

test('inject sends back the legacy value a trace arrived with, else the trace ID as a UUID', () => {
  const p = new XTraceIdPropagator();
  const extracted = p.extract(ROOT_CONTEXT, { 'X-Trace-ID': '  req-8f4c ' }, defaultTextMapGetter);
  const out: Record<string, string> = {};
  p.inject(extracted, out, defaultTextMapSetter);
  assert.deepEqual(out, { 'X-Trace-ID': '  req-8f4c ' });

  const traceId = new UuidTraceIdGenerator().generateTraceId();
  const own = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '1'.repeat(16), traceFlags: 1 });
  const out2: Record<string, string> = {};
  p.inject(own, out2, defaultTextMapSetter);
  assert.deepEqual(out2, { 'X-Trace-ID': formatUuid(traceId) });

  const out3: Record<string, string> = {};
  p.inject(ROOT_CONTEXT, out3, defaultTextMapSetter);
  assert.deepEqual(out3, {}, 'no span, no header');
  assert.deepEqual(p.fields(), ['X-Trace-ID']);
});
