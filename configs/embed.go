// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package configs holds the distribution's shipped configurations. local.yaml is embedded in
// the binary and runs when otelcol-mlops is started without --config.
package configs

import _ "embed"

// LocalYAML is configs/local.yaml, the embedded default configuration.
//
//go:embed local.yaml
var LocalYAML string

// DataDirEnv names the environment variable that moves the embedded default's file outputs.
const DataDirEnv = "OTELCOL_MLOPS_DATA_DIR"

// DefaultDataDir is where the embedded default writes when DataDirEnv is unset.
const DefaultDataDir = "./data"
