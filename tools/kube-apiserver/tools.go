// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package kubeapiserver pins the real Kubernetes API server the Kubernetes test tier runs
// against. It is a module of its own so Kubernetes' dependency graph never touches ours:
// `make kube-apiserver` builds bin/kube-apiserver here.
package kubeapiserver

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
