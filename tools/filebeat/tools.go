// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package tools pins Filebeat 7.17.28 for the tests: make filebeat builds bin/filebeat from
// this module, so Beats' dependency graph never touches the distribution's.
package tools

import _ "github.com/elastic/beats/v7/filebeat"
