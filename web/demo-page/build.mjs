// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Bundles the page into dist/ (page.js and index.html), for the API of the demo and the
// browser tests to serve.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/page.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  outfile: 'dist/page.js',
  logLevel: 'warning',
  // one @opentelemetry/api in the bundle: the page's, also for the linked browser package
  alias: { '@opentelemetry/api': './node_modules/@opentelemetry/api' },
});
copyFileSync('src/index.html', 'dist/index.html');
