// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package etcd pins the etcd the Kubernetes test tier's API server stores its objects in.
// It is a module of its own so etcd's dependency graph never touches ours: `make etcd`
// builds bin/etcd here.
package etcd

import _ "go.etcd.io/etcd/server/v3"
