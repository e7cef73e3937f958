// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package helm pins the Helm that renders the upstream opentelemetry-collector chart with
// deploy/helm's values (`make helm-render`). It is a module of its own so Helm's dependency
// graph never touches ours.
package helm

import _ "helm.sh/helm/v3/cmd/helm"
