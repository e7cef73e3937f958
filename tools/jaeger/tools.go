// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package jaeger pins the real Jaeger v2 (memory storage) the end-to-end tests and the demo
// run against. It is a module of its own so Jaeger's collector version never touches ours:
// `make jaeger` runs `go build -o bin/jaeger github.com/jaegertracing/jaeger/cmd/jaeger` here.
package jaeger

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
