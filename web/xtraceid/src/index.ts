// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

export { SPEC_VERSION, DEFAULT_NO_ID_VALUES, LegacyIdMapping, defaultMapping, deriveSpanId, formatUuid } from './mapping.js';
export type { MappedId, MappingSettings, Rule } from './mapping.js';
export { UuidTraceIdGenerator } from './idgenerator.js';
export { DEFAULT_HEADER, XTraceIdPropagator, legacyIdFrom } from './propagator.js';
export type { XTraceIdPropagatorOptions } from './propagator.js';
export { installTraceIdInterceptor } from './axios.js';
export type { AxiosLike, AxiosRequestLike, AxiosResponseLike, TraceIdInterceptorOptions } from './axios.js';
