// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// The upstream opentelemetry-collector chart, rendered with deploy/helm's values, is kept in
// tests/testdata/helm (make helm-render regenerates it from the pinned chart). These tests
// hold the render to deploy/kubernetes: a chart upgrade that renames an object, a label, a
// port or a probe fails here, before anyone installs it.

// chartEnv is what the chart adds to every collector container; anything else in a render
// and not in the manifests is a difference.
var chartEnv = []string{"MY_POD_IP", "OTEL_K8S_NODE_NAME", "OTEL_K8S_NODE_IP", "OTEL_K8S_NAMESPACE", "OTEL_K8S_POD_NAME", "OTEL_K8S_POD_IP"}

// chartContainerName is the chart's fixed container name (no value sets it): kubectl logs -c
// and resource metrics name the container differently from the manifests' agent/gateway.
const chartContainerName = "opentelemetry-collector"

// k8sObjects are the objects of one or more YAML streams, by kind/name.
type k8sObjects map[string][]byte

func loadK8sObjects(t *testing.T, files ...string) k8sObjects {
	t.Helper()
	objs := k8sObjects{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, doc := range splitDocs(t, raw) {
			var meta struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			require.NoError(t, yaml.Unmarshal(doc, &meta), f)
			if meta.Kind != "" {
				objs[meta.Kind+"/"+meta.Metadata.Name] = doc
			}
		}
	}
	return objs
}

func (o k8sObjects) decode(t *testing.T, key string, into any) {
	t.Helper()
	doc, ok := o[key]
	require.True(t, ok, "%s is missing", key)
	require.NoError(t, strictDecode(doc, into), key)
}

// helmChartPin is the chart version deploy/helm's values are written for: the one their
// install lines name.
func helmChartPin(t *testing.T, root string) string {
	t.Helper()
	re := regexp.MustCompile(`open-telemetry/opentelemetry-collector --version (\S+)`)
	var pin string
	for _, f := range []string{"agent-values.yaml", "gateway-values.yaml"} {
		raw, err := os.ReadFile(filepath.Join(root, "deploy", "helm", f))
		require.NoError(t, err)
		m := re.FindSubmatch(raw)
		require.NotNil(t, m, "%s: the install line pins the chart version", f)
		if pin == "" {
			pin = string(m[1])
		}
		assert.Equal(t, pin, string(m[1]), "%s pins another chart version", f)
	}
	return pin
}

func TestHelmRenderIsOfThePinnedChart(t *testing.T) {
	root := collectortest.RepoRoot(t)
	pin := helmChartPin(t, root)
	for _, docs := range []string{"deployment.md"} {
		raw, err := os.ReadFile(filepath.Join(root, "docs", docs))
		require.NoError(t, err)
		assert.Contains(t, string(raw), "--version "+pin, "docs/%s installs the pinned chart", docs)
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	assert.Contains(t, string(makefile), "HELM_CHART_VERSION := "+pin, "make helm-render renders the pinned chart")
	for _, f := range []string{"agent.yaml", "gateway.yaml"} {
		raw, err := os.ReadFile(filepath.Join(root, "tests", "testdata", "helm", f))
		require.NoError(t, err)
		assert.Contains(t, string(raw), "helm.sh/chart: opentelemetry-collector-"+pin, "%s: run make helm-render", f)
	}
}

// Each workload of the manifests renders, from the chart and deploy/helm's values, as the same
// pods: names, labels, annotations, account, configs, environment, ports, probes, resources,
// security, volumes; and the same Services, autoscaler, disruption budget and RBAC.
func TestHelmRenderMatchesTheManifests(t *testing.T) {
	root := collectortest.RepoRoot(t)
	manifestFiles, err := filepath.Glob(filepath.Join(root, "deploy", "kubernetes", "*.yaml"))
	require.NoError(t, err)
	manifestFiles = slices.DeleteFunc(manifestFiles, func(f string) bool { return filepath.Base(f) == "kustomization.yaml" })
	want := loadK8sObjects(t, manifestFiles...)
	got := loadK8sObjects(t, filepath.Join(root, "tests", "testdata", "helm", "agent.yaml"), filepath.Join(root, "tests", "testdata", "helm", "gateway.yaml"))

	for key := range want {
		kind, _, _ := strings.Cut(key, "/")
		if kind == "Namespace" || kind == "ConfigMap" {
			continue // created with kubectl next to a Helm install (docs/deployment.md)
		}
		assert.Contains(t, got, key, "the chart does not render %s", key)
	}

	t.Run("DaemonSet/otelcol-mlops-agent", func(t *testing.T) {
		var w, g appsv1.DaemonSet
		want.decode(t, "DaemonSet/otelcol-mlops-agent", &w)
		got.decode(t, "DaemonSet/otelcol-mlops-agent", &g)
		samePods(t, w.Spec.Template, g.Spec.Template)
		assert.Equal(t, w.Spec.UpdateStrategy.Type, g.Spec.UpdateStrategy.Type)
	})
	t.Run("Deployment/otelcol-mlops-gateway", func(t *testing.T) {
		var w, g appsv1.Deployment
		want.decode(t, "Deployment/otelcol-mlops-gateway", &w)
		got.decode(t, "Deployment/otelcol-mlops-gateway", &g)
		samePods(t, w.Spec.Template, g.Spec.Template)
		assert.Empty(t, g.Spec.Template.Spec.Volumes, "a gateway keeps nothing on disk")
		// With autoscaling on, the chart leaves replicas to the autoscaler: its floor must be
		// the manifests' replica count.
		var hpa autoscalingv2.HorizontalPodAutoscaler
		got.decode(t, "HorizontalPodAutoscaler/otelcol-mlops-gateway", &hpa)
		require.NotNil(t, w.Spec.Replicas)
		if g.Spec.Replicas != nil {
			assert.Equal(t, *w.Spec.Replicas, *g.Spec.Replicas)
		}
		require.NotNil(t, hpa.Spec.MinReplicas)
		assert.Equal(t, *w.Spec.Replicas, *hpa.Spec.MinReplicas)
	})
	t.Run("HorizontalPodAutoscaler/otelcol-mlops-gateway", func(t *testing.T) {
		var w, g autoscalingv2.HorizontalPodAutoscaler
		want.decode(t, "HorizontalPodAutoscaler/otelcol-mlops-gateway", &w)
		got.decode(t, "HorizontalPodAutoscaler/otelcol-mlops-gateway", &g)
		assert.Equal(t, w.Spec.ScaleTargetRef, g.Spec.ScaleTargetRef)
		assert.Equal(t, w.Spec.MinReplicas, g.Spec.MinReplicas)
		assert.Equal(t, w.Spec.MaxReplicas, g.Spec.MaxReplicas)
		assert.Equal(t, w.Spec.Metrics, g.Spec.Metrics)
		assert.Equal(t, w.Spec.Behavior, g.Spec.Behavior)
	})
	t.Run("PodDisruptionBudget/otelcol-mlops-gateway", func(t *testing.T) {
		var w, g policyv1.PodDisruptionBudget
		want.decode(t, "PodDisruptionBudget/otelcol-mlops-gateway", &w)
		got.decode(t, "PodDisruptionBudget/otelcol-mlops-gateway", &g)
		assert.Equal(t, w.Spec.MaxUnavailable, g.Spec.MaxUnavailable)
		assert.Equal(t, w.Spec.MinAvailable, g.Spec.MinAvailable)
	})
	t.Run("Service/otelcol-mlops-gateway", func(t *testing.T) {
		var w, g corev1.Service
		want.decode(t, "Service/otelcol-mlops-gateway", &w)
		got.decode(t, "Service/otelcol-mlops-gateway", &g)
		assert.Equal(t, w.Spec.ClusterIP, g.Spec.ClusterIP, "headless: the agents resolve every gateway")
		var gw appsv1.Deployment
		got.decode(t, "Deployment/otelcol-mlops-gateway", &gw)
		for k, v := range g.Spec.Selector {
			assert.Equal(t, v, gw.Spec.Template.Labels[k], "the Service selects the gateway's pods")
		}
		// The chart puts every enabled container port on the Service; on a headless Service
		// they only name the pods' ports (DNS answers with the pods' addresses either way).
		assert.Subset(t, servicePorts(g, gw.Spec.Template.Spec.Containers[0]), servicePorts(w, gw.Spec.Template.Spec.Containers[0]))
	})
	t.Run("ClusterRole/otelcol-mlops-agent", func(t *testing.T) {
		var w, g rbacv1.ClusterRole
		want.decode(t, "ClusterRole/otelcol-mlops-agent", &w)
		got.decode(t, "ClusterRole/otelcol-mlops-agent", &g)
		assert.Equal(t, w.Rules, g.Rules)
		var wb, gb rbacv1.ClusterRoleBinding
		want.decode(t, "ClusterRoleBinding/otelcol-mlops-agent", &wb)
		got.decode(t, "ClusterRoleBinding/otelcol-mlops-agent", &gb)
		assert.Equal(t, wb.RoleRef, gb.RoleRef)
		for i := range wb.Subjects {
			wb.Subjects[i].Namespace = "observability" // kustomize sets it
		}
		assert.Equal(t, wb.Subjects, gb.Subjects)
	})
}

// samePods compares two pod templates field by field, allowing only what the chart adds.
func samePods(t *testing.T, w, g corev1.PodTemplateSpec) {
	t.Helper()
	for k, v := range w.Labels {
		assert.Equal(t, v, g.Labels[k], "pod label %s", k)
	}
	for k, v := range w.Annotations {
		assert.Equal(t, v, g.Annotations[k], "pod annotation %s", k)
	}
	ws, gs := w.Spec, g.Spec
	assert.Equal(t, ws.ServiceAccountName, gs.ServiceAccountName)
	assert.Equal(t, ws.TerminationGracePeriodSeconds, gs.TerminationGracePeriodSeconds)
	assert.Equal(t, ws.Tolerations, gs.Tolerations)
	assert.ElementsMatch(t, ws.Volumes, gs.Volumes)
	empty := &corev1.PodSecurityContext{}
	if ws.SecurityContext == nil {
		ws.SecurityContext = empty
	}
	if gs.SecurityContext == nil {
		gs.SecurityContext = empty
	}
	assert.Equal(t, ws.SecurityContext, gs.SecurityContext)
	require.Len(t, gs.Containers, 1)
	wc, gc := ws.Containers[0], gs.Containers[0]
	assert.Equal(t, chartContainerName, gc.Name, "the chart's container name changed: update the docs and this test")
	assert.Equal(t, []string{"/otelcol-mlops"}, gc.Command, "the image's ENTRYPOINT")
	assert.Equal(t, wc.Image, gc.Image)
	assert.Equal(t, joinedArgs(wc.Args), joinedArgs(gc.Args))
	var extraEnv []string
	for _, e := range gc.Env {
		if !slices.ContainsFunc(wc.Env, func(x corev1.EnvVar) bool { return x.Name == e.Name }) {
			extraEnv = append(extraEnv, e.Name)
		}
	}
	assert.Subset(t, chartEnv, extraEnv, "variables the chart adds")
	for _, e := range wc.Env {
		i := slices.IndexFunc(gc.Env, func(x corev1.EnvVar) bool { return x.Name == e.Name })
		if assert.GreaterOrEqual(t, i, 0, "variable %s", e.Name) {
			assert.Equal(t, e, gc.Env[i])
		}
	}
	assert.ElementsMatch(t, wc.EnvFrom, gc.EnvFrom)
	assert.ElementsMatch(t, wc.Ports, gc.Ports)
	assert.Equal(t, wc.Resources, gc.Resources)
	assert.Equal(t, wc.SecurityContext, gc.SecurityContext)
	assert.ElementsMatch(t, wc.VolumeMounts, gc.VolumeMounts)
	for name, probes := range map[string][2]*corev1.Probe{
		"startup": {wc.StartupProbe, gc.StartupProbe}, "liveness": {wc.LivenessProbe, gc.LivenessProbe}, "readiness": {wc.ReadinessProbe, gc.ReadinessProbe},
	} {
		assert.Equal(t, probeSummary(probes[0], wc), probeSummary(probes[1], gc), "%s probe", name)
	}
}

// joinedArgs writes "--config x" as "--config=x".
func joinedArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--config" && i+1 < len(args) {
			out = append(out, "--config="+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// probeSummary is what a probe checks and when: path, port number, period, threshold.
func probeSummary(p *corev1.Probe, c corev1.Container) string {
	if p == nil {
		return "none"
	}
	if p.HTTPGet == nil {
		return "not an HTTP probe"
	}
	return fmt.Sprintf("GET %s on %d every %ds, %d failures", p.HTTPGet.Path, portNumber(p.HTTPGet.Port, c), p.PeriodSeconds, p.FailureThreshold)
}

func portNumber(port intstr.IntOrString, c corev1.Container) int32 {
	if port.Type == intstr.Int {
		return port.IntVal
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return p.ContainerPort
		}
	}
	return -1
}

// servicePorts is each Service port as name, port and the container port it reaches.
func servicePorts(s corev1.Service, c corev1.Container) []string {
	var out []string
	for _, p := range s.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		out = append(out, fmt.Sprintf("%s %d -> %d/%s", p.Name, p.Port, portNumber(target, c), p.Protocol))
	}
	return out
}

// The rendered containers run: the binary validates each one's exact configuration.
func TestHelmRenderedContainersValidate(t *testing.T) {
	root := collectortest.RepoRoot(t)
	m := loadManifests(t)
	for _, f := range []string{"agent.yaml", "gateway.yaml"} {
		got := loadK8sObjects(t, filepath.Join(root, "tests", "testdata", "helm", f))
		for key, doc := range got {
			var spec corev1.PodSpec
			switch kind, _, _ := strings.Cut(key, "/"); kind {
			case "DaemonSet":
				var d appsv1.DaemonSet
				require.NoError(t, strictDecode(doc, &d))
				spec = d.Spec.Template.Spec
			case "Deployment":
				var d appsv1.Deployment
				require.NoError(t, strictDecode(doc, &d))
				spec = d.Spec.Template.Spec
			default:
				continue
			}
			t.Run(key, func(t *testing.T) {
				ctr := spec.Containers[0]
				ctr.Command = nil // the image's ENTRYPOINT, checked above
				containerFrom(t, root, ctr, m.configMaps).validates(t)
			})
		}
	}
}
