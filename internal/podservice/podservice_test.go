// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package podservice

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestSetServiceName(t *testing.T) {
	for name, tc := range map[string]struct {
		attrs map[string]any
		want  string
	}{
		"already named":          {map[string]any{"service.name": "api", LabelPrefix + "app": "other"}, "api"},
		"app.kubernetes.io/name": {map[string]any{LabelPrefix + "app.kubernetes.io/name": "ml-worker", LabelPrefix + "app": "w"}, "ml-worker"},
		"dedotted by a shipper":  {map[string]any{LabelPrefix + "app_kubernetes_io/name": "ml-worker"}, "ml-worker"},
		"app label":              {map[string]any{LabelPrefix + "app": "ml-worker", "k8s.container.name": "worker"}, "ml-worker"},
		"k8s container":          {map[string]any{"k8s.container.name": "worker", "container.name": "docker-name"}, "worker"},
		"docker container":       {map[string]any{"container.name": "gpu-worker-1"}, "gpu-worker-1"},
		"nothing to go by":       {map[string]any{"host.name": "vm-3"}, ""},
		"empty label skipped":    {map[string]any{LabelPrefix + "app.kubernetes.io/name": "", "k8s.container.name": "worker"}, "worker"},
	} {
		res := pcommon.NewMap()
		assert.NoError(t, res.FromRaw(tc.attrs))
		SetServiceName(res)
		got := ""
		if v, ok := res.Get("service.name"); ok {
			got = v.AsString()
		}
		assert.Equal(t, tc.want, got, name)
	}
}
