// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

import {
  createContextKey,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

import { defaultMapping, deriveSpanId, formatUuid, LegacyIdMapping, type MappingSettings } from './mapping.js';

/** The header read and written when no other names are configured. */
export const DEFAULT_HEADER = 'X-Trace-ID';

const TRACEPARENT = 'traceparent';
const LEGACY_ID_KEY = createContextKey('otelcol-mlops legacy trace ID');

interface LegacyId {
  value: string;
  traceId: string;
}

/** Options of XTraceIdPropagator. */
export interface XTraceIdPropagatorOptions {
  /** Header names read, in order; the first is the one inject writes. Default: X-Trace-ID. */
  headers?: string[];
  /** The collector's trace_id_bridge settings (namespace, no-ID values), so both agree on every ID. */
  mapping?: MappingSettings;
  /**
   * The legacy service that calls this one: the remote parent's span ID is then that service's
   * derived span ID, the one its logs carry. Default: the empty service name.
   */
  upstreamService?: string;
  /** The sampled flag of extracted contexts. Default true: legacy callers make no sampling decision. */
  sampled?: boolean;
}

/**
 * A TextMapPropagator for the legacy X-Trace-ID header, the web app's counterpart of the Go
 * xtraceid propagator. Inject writes the active trace ID as a UUID (or the legacy value the
 * trace arrived with) beside traceparent; extract maps a legacy header to the trace ID the
 * collector's trace_id_bridge computes for the same value's logs, unless a traceparent is
 * present or another propagator already extracted a span context.
 *
 * Use it after the W3C propagator:
 *   new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new XTraceIdPropagator()] })
 */
export class XTraceIdPropagator implements TextMapPropagator {
  private readonly headers: string[];
  private readonly mapping: LegacyIdMapping;
  private readonly upstreamService: string;
  private readonly sampled: boolean;

  constructor(options: XTraceIdPropagatorOptions = {}) {
    this.headers = options.headers?.length ? [...options.headers] : [DEFAULT_HEADER];
    this.mapping = options.mapping ? new LegacyIdMapping(options.mapping) : defaultMapping;
    this.upstreamService = options.upstreamService ?? '';
    this.sampled = options.sampled ?? true;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    const legacy = context.getValue(LEGACY_ID_KEY) as LegacyId | undefined;
    const value = legacy !== undefined && legacy.traceId === spanContext.traceId ? legacy.value : formatUuid(spanContext.traceId);
    setter.set(carrier, this.headers[0], value);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    if (headerValue(carrier, getter, TRACEPARENT) !== '') return context;
    const existing = trace.getSpanContext(context);
    if (existing !== undefined && isSpanContextValid(existing)) return context;
    for (const header of this.headers) {
      const value = headerValue(carrier, getter, header);
      const mapped = this.mapping.map(value);
      if (mapped === undefined) continue;
      const spanId = mapped.spanId !== '' ? mapped.spanId : deriveSpanId(mapped.traceId, this.upstreamService);
      const withLegacy = context.setValue(LEGACY_ID_KEY, { value, traceId: mapped.traceId } satisfies LegacyId);
      return trace.setSpanContext(withLegacy, {
        traceId: mapped.traceId,
        spanId,
        traceFlags: this.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      });
    }
    return context;
  }

  fields(): string[] {
    return [...this.headers];
  }
}

/** The legacy value a context was extracted from, if any, so a page or service can log it. */
export function legacyIdFrom(context: Context): string | undefined {
  return (context.getValue(LEGACY_ID_KEY) as LegacyId | undefined)?.value;
}

// Header names are case-insensitive; getters of plain objects are not.
function headerValue(carrier: unknown, getter: TextMapGetter, name: string): string {
  for (const key of [name, name.toLowerCase()]) {
    const v = getter.get(carrier, key);
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s !== '') return s;
  }
  const lower = name.toLowerCase();
  for (const key of getter.keys(carrier)) {
    if (key.toLowerCase() === lower) {
      const v = getter.get(carrier, key);
      const s = Array.isArray(v) ? v[0] : v;
      if (s !== undefined && s !== '') return s;
    }
  }
  return '';
}
