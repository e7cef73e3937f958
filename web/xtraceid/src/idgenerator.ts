// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

import { toHex } from './mapping.js';

/**
 * Generates trace IDs that are the bytes of RFC 4122 version-4 UUIDs (122 random bits), so
 * the X-Trace-ID a page sends (the trace ID written as a UUID) is a genuine v4 UUID for the
 * legacy services that validate one, and maps back to the same W3C trace ID by the spec's
 * rule 2: the legacy services' logs and the instrumented services' spans share one trace.
 *
 * Pass it to the tracer provider: new WebTracerProvider({ idGenerator: new UuidTraceIdGenerator() }).
 * It has the shape of @opentelemetry/sdk-trace-base's IdGenerator without importing it.
 */
export class UuidTraceIdGenerator {
  generateTraceId(): string {
    const bytes = randomBytes(16);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    return toHex(bytes);
  }

  generateSpanId(): string {
    let bytes = randomBytes(8);
    while (bytes.every((b) => b === 0)) bytes = randomBytes(8); // the all-zero span ID is invalid
    return toHex(bytes);
  }
}

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}
