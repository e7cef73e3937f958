// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package podservice names a Kubernetes workload's service the one way every route into the
// distribution does (Cloud Logging entries, Filebeat events): from the pod's labels, else its
// container's name, as the semantic conventions suggest for service.name.
package podservice

import "go.opentelemetry.io/collector/pdata/pcommon"

// LabelPrefix is where a pod's labels live on a resource: k8s.pod.label.<label>, as
// k8s_attributes and the node agent put them.
const LabelPrefix = "k8s.pod.label."

// serviceLabels name a service, best first. Shippers that cannot keep dots in keys write
// app.kubernetes.io/name as app_kubernetes_io/name (GKE's logging agent, Beats' dedot).
var serviceLabels = []string{"app.kubernetes.io/name", "app_kubernetes_io/name", "app"}

// SetServiceName sets resource's service.name, unless it has one, from the pod's
// app.kubernetes.io/name or app label, else k8s.container.name, else container.name.
func SetServiceName(resource pcommon.Map) {
	if _, ok := resource.Get("service.name"); ok {
		return
	}
	for _, label := range serviceLabels {
		if v, ok := resource.Get(LabelPrefix + label); ok && v.AsString() != "" {
			resource.PutStr("service.name", v.AsString())
			return
		}
	}
	for _, key := range []string{"k8s.container.name", "container.name"} {
		if v, ok := resource.Get(key); ok && v.AsString() != "" {
			resource.PutStr("service.name", v.AsString())
			return
		}
	}
}
