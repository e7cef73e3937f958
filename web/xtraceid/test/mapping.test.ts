// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { deriveSpanId, formatUuid, LegacyIdMapping, SPEC_VERSION } from '../src/mapping.js';
import { sha256 } from '../src/sha256.js';

interface Vector {
  input: string;
  namespace?: string;
  no_id_values?: string[];
  rule: string;
  trace_id: string;
  span_id: string;
  service_name?: string;
  derived_span_id?: string;
  note?: string;
}

// The vectors every implementation of the spec runs: the Go packages read the same file.
const vectorsFile = new URL('../../../../docs/trace-id-mapping-vectors.json', import.meta.url);
const spec = JSON.parse(readFileSync(vectorsFile, 'utf8')) as { spec_version: number; vectors: Vector[] };

test('implements the spec version of the vectors', () => {
  assert.equal(spec.spec_version, SPEC_VERSION);
  assert.ok(spec.vectors.length > 40);
});

for (const v of spec.vectors) {
  test(`vector ${JSON.stringify(v.input)}${v.note ? ` (${v.note})` : ''}`, () => {
    const mapping = new LegacyIdMapping({ namespace: v.namespace, noIdValues: v.no_id_values });
    const got = mapping.map(v.input);
    if (v.rule === 'none') {
      assert.equal(got, undefined);
      return;
    }
    assert.ok(got);
    assert.equal(got.rule, v.rule);
    assert.equal(got.traceId, v.trace_id);
    assert.equal(got.spanId, v.span_id);
    if (v.service_name !== undefined) {
      assert.equal(deriveSpanId(got.traceId, v.service_name), v.derived_span_id);
    }
  });
}

test('every rule of the spec has a vector', () => {
  const rules = new Set(spec.vectors.map((v) => v.rule));
  for (const rule of ['none', 'traceparent', 'uuid', 'hex128', 'hex64', 'xray', 'cloud_trace', 'jaeger', 'b3', 'hash']) {
    assert.ok(rules.has(rule), rule);
  }
});

test('a trace ID written as a UUID maps back to itself', () => {
  for (let i = 0; i < 200; i++) {
    const traceId = randomBytes(16).toString('hex');
    const got = new LegacyIdMapping().map(formatUuid(traceId));
    assert.deepEqual(got, { rule: 'uuid', traceId, spanId: '' });
  }
});

test('sha256 agrees with node:crypto at every padding boundary', () => {
  for (let n = 0; n < 200; n++) {
    const data = randomBytes(n);
    assert.equal(Buffer.from(sha256(data)).toString('hex'), createHash('sha256').update(data).digest('hex'), `length ${n}`);
  }
});

test('non-ASCII values hash their UTF-8 bytes, as the Go mapping does', () => {
  const value = 'job-ü-日本-🚀';
  const want = createHash('sha256').update(Buffer.from(value, 'utf8')).digest('hex').slice(0, 32);
  assert.equal(new LegacyIdMapping().map(value)?.traceId, want);
  // Unicode spaces are not trimmed: only ASCII whitespace is.
  assert.equal(new LegacyIdMapping().map('\u00a0req-1')?.traceId, createHash('sha256').update(Buffer.from('\u00a0req-1')).digest('hex').slice(0, 32));
});
