// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

// This file is ours, not ocb's.

// A gateway decompresses the agents' snappy concurrently: replace the collector's snappy
// compressor, which races under concurrent streams, with one that does not.
import _ "github.com/otelcol-mlops/otelcol-mlops/internal/grpcsnappy"
