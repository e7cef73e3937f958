// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// The legacy ID mapping, spec version 1 (docs/trace-id-mapping.md in otelcol-mlops): the same
// trace ID for a legacy correlation ID as the collector's trace_id_bridge, pubsub_trace and
// the Go xtraceid propagator compute. The spec's shared test vectors run against this file.

import { sha256 } from './sha256.js';

/** The spec version this mapping implements. */
export const SPEC_VERSION = 1;

/** The rule that produced a trace ID, by the spec's names. */
export type Rule = 'traceparent' | 'uuid' | 'hex128' | 'hex64' | 'xray' | 'cloud_trace' | 'jaeger' | 'b3' | 'hash';

/** A legacy ID mapped to W3C trace context: lower-case hex, spanId '' when the form has none. */
export interface MappedId {
  rule: Rule;
  traceId: string;
  spanId: string;
}

/** The spec's default no-ID values, compared ignoring ASCII case. */
export const DEFAULT_NO_ID_VALUES: readonly string[] = ['NO_TRACE_ID', 'N/A', '-', 'null', 'none', 'undefined'];

/** Settings shared with the collector's trace_id_bridge (namespace, no_id_values). */
export interface MappingSettings {
  /** Separates tenants whose opaque IDs could collide; applies to the hash rule only. */
  namespace?: string;
  /** Values that mean "no ID"; replaces the defaults. */
  noIdValues?: readonly string[];
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const HEX = /^[0-9a-fA-F]+$/;
const DIGITS = /^[0-9]+$/;
const utf8 = new TextEncoder();

const isHex = (s: string): boolean => HEX.test(s);
const hexOf = (s: string, length: number): string | undefined => (s.length === length && isHex(s) ? s.toLowerCase() : undefined);

function isAsciiSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

/** Trims ASCII whitespace only, as the spec says (String.prototype.trim also trims Unicode spaces). */
function trimAsciiSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiSpace(s[start])) start++;
  while (end > start && isAsciiSpace(s[end - 1])) end--;
  return s.slice(start, end);
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

type Parsed = { traceId: string; spanId: string } | undefined;

// Rule 1: vv-<32 hex>-<16 hex>-<2 hex>; version ff is invalid; versions above 00 may continue with "-...".
function traceparent(v: string): Parsed {
  if (v.length < 55 || v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return undefined;
  const version = hexOf(v.slice(0, 2), 2);
  if (version === undefined || version === 'ff') return undefined;
  if (v.length > 55 && (version === '00' || v[55] !== '-')) return undefined;
  const traceId = hexOf(v.slice(3, 35), 32);
  const spanId = hexOf(v.slice(36, 52), 16);
  if (traceId === undefined || spanId === undefined || hexOf(v.slice(53, 55), 2) === undefined || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId };
}

// Rule 2: 8-4-4-4-12, optionally {braced} or after urn:uuid:.
function uuid(v: string): Parsed {
  if (v.length === 38 && v[0] === '{' && v[37] === '}') v = v.slice(1, 37);
  else if (v.length === 45 && asciiLower(v.slice(0, 9)) === 'urn:uuid:') v = v.slice(9);
  if (v.length !== 36 || v[8] !== '-' || v[13] !== '-' || v[18] !== '-' || v[23] !== '-') return undefined;
  const traceId = hexOf(v.slice(0, 8) + v.slice(9, 13) + v.slice(14, 18) + v.slice(19, 23) + v.slice(24), 32);
  return traceId === undefined ? undefined : { traceId, spanId: '' };
}

// Rules 3 and 4: 32 or 16 hex digits (16 left-padded).
function hex128(v: string): Parsed {
  const traceId = hexOf(v, 32);
  return traceId === undefined ? undefined : { traceId, spanId: '' };
}

function hex64(v: string): Parsed {
  const half = hexOf(v, 16);
  return half === undefined ? undefined : { traceId: ZERO_SPAN + half, spanId: '' };
}

// Rule 5: X-Ray Root=1-<8 hex>-<24 hex> among ;-separated parts, or a bare root.
function xray(v: string): Parsed {
  if (v.startsWith('1-')) return xrayRoot(v);
  if (!v.includes('Root=')) return undefined;
  for (const part of v.split(';')) {
    const trimmed = trimAsciiSpace(part);
    const eq = trimmed.indexOf('=');
    if (eq >= 0 && trimmed.slice(0, eq) === 'Root') return xrayRoot(trimmed.slice(eq + 1));
  }
  return undefined;
}

function xrayRoot(v: string): Parsed {
  if (v.length !== 35 || v[0] !== '1' || v[1] !== '-' || v[10] !== '-') return undefined;
  const traceId = hexOf(v.slice(2, 10) + v.slice(11), 32);
  return traceId === undefined ? undefined : { traceId, spanId: '' };
}

const MAX_UINT64 = (1n << 64n) - 1n;

function uint64(s: string): bigint | undefined {
  if (s === '' || s.length > 20 || !DIGITS.test(s)) return undefined;
  const n = BigInt(s);
  return n > MAX_UINT64 ? undefined : n;
}

// Rule 6: <32 hex>/<decimal span>[;o=<decimal>].
function cloudTrace(v: string): Parsed {
  if (v.length < 34 || v[32] !== '/') return undefined;
  const traceId = hexOf(v.slice(0, 32), 32);
  if (traceId === undefined) return undefined;
  const rest = v.slice(33);
  const semi = rest.indexOf(';');
  const span = semi < 0 ? rest : rest.slice(0, semi);
  if (semi >= 0) {
    const options = rest.slice(semi + 1);
    if (!options.startsWith('o=') || uint64(options.slice(2)) === undefined) return undefined;
  }
  const n = uint64(span);
  if (n === undefined || n === 0n) return undefined;
  return { traceId, spanId: n.toString(16).padStart(16, '0') };
}

function trace64or128(s: string): string | undefined {
  if (s.length === 32) return hexOf(s, 32);
  if (s.length === 16) {
    const half = hexOf(s, 16);
    return half === undefined ? undefined : ZERO_SPAN + half;
  }
  return undefined;
}

// Rule 7: Jaeger <trace>:<span>:<parent>:<flags>.
function jaeger(v: string): Parsed {
  const parts = v.split(':');
  if (parts.length !== 4) return undefined;
  const [trace, span, parent, flags] = parts;
  const traceId = trace64or128(trace);
  if (traceId === undefined || span.length === 0 || span.length > 16 || !isHex(span)) return undefined;
  const spanId = span.toLowerCase().padStart(16, '0');
  if (spanId === ZERO_SPAN) return undefined;
  if (parent.length === 0 || parent.length > 16 || !isHex(parent)) return undefined;
  if (flags.length === 0 || flags.length > 2 || !isHex(flags)) return undefined;
  return { traceId, spanId };
}

// Rule 8: B3 <trace>-<span>[-<sampled>[-<parent>]].
function b3(v: string): Parsed {
  const first = v.indexOf('-');
  if (first < 0) return undefined;
  const traceId = trace64or128(v.slice(0, first));
  let rest = v.slice(first + 1);
  const second = rest.indexOf('-');
  const spanHex = second < 0 ? rest : rest.slice(0, second);
  const spanId = hexOf(spanHex, 16);
  if (traceId === undefined || spanId === undefined || spanId === ZERO_SPAN) return undefined;
  if (second < 0) return { traceId, spanId };
  rest = rest.slice(second + 1);
  const third = rest.indexOf('-');
  const sampled = third < 0 ? rest : rest.slice(0, third);
  if (sampled !== '0' && sampled !== '1' && sampled !== 'd') return undefined;
  if (third >= 0 && hexOf(rest.slice(third + 1), 16) === undefined) return undefined;
  return { traceId, spanId };
}

const STRUCTURED: ReadonlyArray<[Rule, (v: string) => Parsed]> = [
  ['traceparent', traceparent],
  ['uuid', uuid],
  ['hex128', hex128],
  ['hex64', hex64],
  ['xray', xray],
  ['cloud_trace', cloudTrace],
  ['jaeger', jaeger],
  ['b3', b3],
];

function firstStructured(v: string): MappedId | undefined {
  for (const [rule, parse] of STRUCTURED) {
    const parsed = parse(v);
    if (parsed !== undefined) return { rule, ...parsed };
  }
  return undefined;
}

function hashTraceId(v: string, namespace: string): string {
  const value = utf8.encode(v);
  let input = value;
  if (namespace !== '') {
    const ns = utf8.encode(namespace);
    input = new Uint8Array(ns.length + 1 + value.length);
    input.set(ns);
    input.set(value, ns.length + 1);
  }
  const id = sha256(input).slice(0, 16);
  if (id.every((b) => b === 0)) id[15] = 1;
  return toHex(id);
}

/** A configured mapping: the spec's rules with a namespace and no-ID values. */
export class LegacyIdMapping {
  private readonly namespace: string;
  private readonly noIdValues: readonly string[];

  constructor(settings: MappingSettings = {}) {
    this.namespace = settings.namespace ?? '';
    this.noIdValues = (settings.noIdValues ?? DEFAULT_NO_ID_VALUES).map(asciiLower);
  }

  /** The trace (and span) ID of a legacy value, or undefined when it holds no ID. */
  map(value: string): MappedId | undefined {
    const v = trimAsciiSpace(value);
    if (v === '' || this.noIdValues.includes(asciiLower(v))) return undefined;
    const structured = firstStructured(v);
    // A form yielding the invalid all-zero trace ID hashes instead.
    if (structured !== undefined && structured.traceId !== ZERO_TRACE) return structured;
    return { rule: 'hash', traceId: hashTraceId(v, this.namespace), spanId: '' };
  }
}

/** The mapping with the spec's defaults (no namespace, the default no-ID values). */
export const defaultMapping = new LegacyIdMapping();

/**
 * The span ID the spec derives for records that carry only a trace ID: the first 8 bytes of
 * SHA-256(trace ID bytes ‖ UTF-8 service name). Every log line of a service in a trace gets it,
 * and the collector's legacy_spans connector gives that service's span the same ID.
 */
export function deriveSpanId(traceId: string, serviceName: string): string {
  const name = utf8.encode(serviceName);
  const input = new Uint8Array(16 + name.length);
  input.set(fromHex(traceId));
  input.set(name, 16);
  const span = sha256(input).slice(0, 8);
  if (span.every((b) => b === 0)) span[7] = 1;
  return toHex(span);
}

/** Writes a trace ID as a lower-case UUID, which maps back to the same trace ID by rule 2. */
export function formatUuid(traceId: string): string {
  const t = traceId.toLowerCase();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
}
