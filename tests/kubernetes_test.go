// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// imageConfigDir is where the Dockerfile puts configs/.
const imageConfigDir = "/etc/otelcol-mlops/"

// manifests holds every object of deploy/kubernetes, decoded strictly into the Kubernetes API
// types: a misspelt or misplaced field fails the decode.
type manifests struct {
	configMaps   map[string]corev1.ConfigMap
	clusterRoles []rbacv1.ClusterRole
	podSpecs     map[string]corev1.PodSpec // by workload name
	workloads    map[string]string         // kind by name: Deployment, StatefulSet, DaemonSet
	hpas         []autoscalingv2.HorizontalPodAutoscaler
	services     []corev1.Service
	files        []string
}

// strictDecode is sigs.k8s.io/yaml's strict decoding, what kubectl's client-side validation
// does: an unknown or duplicate field is an error.
func strictDecode(doc []byte, into any) error { return yaml.UnmarshalStrict(doc, into) }

// splitDocs splits a multi-document file with apimachinery's reader, as kubectl does.
func splitDocs(t *testing.T, raw []byte) [][]byte {
	t.Helper()
	var docs [][]byte
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err)
		if strings.TrimSpace(stripComments(string(doc))) != "" {
			docs = append(docs, doc)
		}
	}
}

func stripComments(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	dir := filepath.Join(collectortest.RepoRoot(t), "deploy", "kubernetes")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(t, err)
	m := manifests{configMaps: map[string]corev1.ConfigMap{}, podSpecs: map[string]corev1.PodSpec{}, workloads: map[string]string{}}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, filepath.Base(f))
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, doc := range splitDocs(t, raw) {
			var meta struct {
				Kind string `json:"kind"`
			}
			require.NoError(t, yaml.Unmarshal(doc, &meta), f)
			var err error
			switch meta.Kind {
			case "Namespace":
				err = strictDecode(doc, &corev1.Namespace{})
			case "ServiceAccount":
				err = strictDecode(doc, &corev1.ServiceAccount{})
			case "Service":
				var svc corev1.Service
				err = strictDecode(doc, &svc)
				m.services = append(m.services, svc)
			case "ConfigMap":
				var cm corev1.ConfigMap
				err = strictDecode(doc, &cm)
				m.configMaps[cm.Name] = cm
			case "ClusterRole":
				var r rbacv1.ClusterRole
				err = strictDecode(doc, &r)
				m.clusterRoles = append(m.clusterRoles, r)
			case "ClusterRoleBinding":
				err = strictDecode(doc, &rbacv1.ClusterRoleBinding{})
			case "DaemonSet":
				var d appsv1.DaemonSet
				err = strictDecode(doc, &d)
				m.podSpecs[d.Name] = d.Spec.Template.Spec
				m.workloads[d.Name] = meta.Kind
			case "Deployment":
				var d appsv1.Deployment
				err = strictDecode(doc, &d)
				m.podSpecs[d.Name] = d.Spec.Template.Spec
				m.workloads[d.Name] = meta.Kind
			case "HorizontalPodAutoscaler":
				var h autoscalingv2.HorizontalPodAutoscaler
				err = strictDecode(doc, &h)
				m.hpas = append(m.hpas, h)
			case "PodDisruptionBudget":
				err = strictDecode(doc, &policyv1.PodDisruptionBudget{})
			default:
				t.Fatalf("%s: a %q the test does not decode", f, meta.Kind)
			}
			require.NoError(t, err, "%s: %s", f, meta.Kind)
		}
	}
	return m
}

func TestKubernetesManifestsDecodeStrictly(t *testing.T) {
	m := loadManifests(t)
	require.Contains(t, m.podSpecs, "otelcol-mlops-agent")
	require.Contains(t, m.podSpecs, "otelcol-mlops-gateway")

	raw, err := os.ReadFile(filepath.Join(collectortest.RepoRoot(t), "deploy", "kubernetes", "kustomization.yaml"))
	require.NoError(t, err)
	var k struct {
		Namespace string   `json:"namespace"`
		Resources []string `json:"resources"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &k))
	assert.ElementsMatch(t, m.files, k.Resources, "kustomization.yaml lists every manifest, and only those")

	// The agents and the gateways resolve the gateways' headless Service, which selects them.
	var headless []string
	for _, svc := range m.services {
		if svc.Spec.ClusterIP == corev1.ClusterIPNone {
			headless = append(headless, svc.Name+"."+k.Namespace+".svc.cluster.local")
			assert.Equal(t, "otelcol-mlops-gateway", svc.Spec.Selector["app.kubernetes.io/name"])
		}
	}
	require.Len(t, headless, 1)
	for workload, spec := range m.podSpecs {
		for _, e := range spec.Containers[0].Env {
			if e.Name == "GATEWAY_DNS_NAME" {
				assert.Equal(t, headless[0], e.Value, workload)
			}
		}
	}
	// The gateway keeps nothing on disk (its senders hold what it has not acknowledged): a
	// Deployment, without volumes, scaled by its HPA.
	assert.Equal(t, "Deployment", m.workloads["otelcol-mlops-gateway"])
	assert.Empty(t, m.podSpecs["otelcol-mlops-gateway"].Volumes, "a gateway has no state to keep")
	require.NotEmpty(t, m.hpas)
	for _, h := range m.hpas {
		assert.Equal(t, m.workloads[h.Spec.ScaleTargetRef.Name], h.Spec.ScaleTargetRef.Kind, "the HPA scales %s", h.Spec.ScaleTargetRef.Name)
	}
}

// container is one collector container as the test checks it: its configs (repository
// paths), its environment (literals, ConfigMaps, and placeholders for what the cluster fills
// in), its declared ports and mounts.
type container struct {
	name      string
	configs   []string
	env       map[string]string
	ports     map[int32]bool
	mounts    []string
	resources corev1.ResourceRequirements
}

func containerFrom(t *testing.T, root string, c corev1.Container, configMaps map[string]corev1.ConfigMap) container {
	t.Helper()
	out := container{name: c.Name, env: map[string]string{}, ports: map[int32]bool{}, resources: c.Resources}
	assert.Empty(t, c.Command, "%s: the image's ENTRYPOINT runs the collector", c.Name)
	for i := 0; i < len(c.Args); i++ {
		arg := c.Args[i]
		path, ok := strings.CutPrefix(arg, "--config=")
		if !ok && arg == "--config" && i+1 < len(c.Args) {
			i++
			path, ok = c.Args[i], true
		}
		require.True(t, ok, "%s: unexpected argument %q", c.Name, arg)
		file, inImage := strings.CutPrefix(path, imageConfigDir)
		require.True(t, inImage, "%s: config %s is not one of the image's %s", c.Name, path, imageConfigDir)
		out.configs = append(out.configs, filepath.Join(root, "configs", file))
	}
	for _, from := range c.EnvFrom {
		require.NotNil(t, from.ConfigMapRef, "%s: envFrom other than a ConfigMap", c.Name)
		cm, ok := configMaps[from.ConfigMapRef.Name]
		require.True(t, ok, "%s: envFrom names ConfigMap %s, which no manifest defines", c.Name, from.ConfigMapRef.Name)
		for k, v := range cm.Data {
			out.env[k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out.env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Optional != nil && *e.ValueFrom.SecretKeyRef.Optional:
			// may stay unset: the config must not need it
		default:
			out.env[e.Name] = "from-the-cluster"
		}
	}
	for _, p := range c.Ports {
		out.ports[p.ContainerPort] = true
	}
	for _, vm := range c.VolumeMounts {
		out.mounts = append(out.mounts, vm.MountPath)
	}
	return out
}

// validates runs the binary's validate with the container's configs and environment.
func (c container) validates(t *testing.T) {
	t.Helper()
	args := []string{"validate"}
	for _, cfg := range c.configs {
		args = append(args, "--config", cfg)
	}
	var env []string
	for k, v := range c.env {
		env = append(env, k+"="+v)
	}
	out, err := collectortest.RunEnv(t, env, args...)
	require.NoError(t, err, "%s: the configuration does not validate:\n%s", c.name, out)
}

var (
	envReference   = regexp.MustCompile(`\$\{env:([A-Z0-9_]+)(:-[^}]*)?\}`)
	envWithDefault = regexp.MustCompile(`\$\{env:([A-Z0-9_]+):-([^}]*)\}`)
)

// requiredEnv lists the variables a config reads without a default.
func requiredEnv(t *testing.T, path string) []string {
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var names []string
	for _, m := range envReference.FindAllStringSubmatch(stripComments(string(raw)), -1) {
		if m[2] == "" && !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

// boundPorts returns the ports the configs listen on with env: every *_ENDPOINT variable the
// configs read for a receiver or extension, and the telemetry port.
func boundPorts(t *testing.T, c container) map[int32]string {
	ports := map[int32]string{}
	for _, cfg := range c.configs {
		raw, err := os.ReadFile(cfg)
		require.NoError(t, err)
		for _, m := range envWithDefault.FindAllStringSubmatch(stripComments(string(raw)), -1) {
			name, def := m[1], m[2]
			listens := (strings.HasSuffix(name, "_ENDPOINT") && (strings.HasPrefix(name, "GATEWAY_") || strings.HasPrefix(name, "SIDECAR_"))) ||
				strings.HasSuffix(name, "_TELEMETRY_PORT")
			if !listens {
				continue
			}
			value := def
			if v, ok := c.env[name]; ok {
				value = v
			}
			port := value[strings.LastIndexByte(value, ':')+1:]
			n, err := strconv.Atoi(port)
			require.NoError(t, err, "%s=%s", name, value)
			ports[int32(n)] = name
		}
	}
	return ports
}

// Every container runs configs of the repository, unchanged, with every variable they need
// set, every port they bind declared (and bound on 0.0.0.0, not the bare-metal 127.0.0.1), a
// data directory on a volume where a config keeps files, and memory settings that keep GOMEMLIMIT and memory_limiter
// below the container's limit; the binary validates each container's exact configuration.
func TestKubernetesContainersRunTheShippedConfigs(t *testing.T) {
	root := collectortest.RepoRoot(t)
	m := loadManifests(t)
	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	for workload, spec := range m.podSpecs {
		require.Len(t, spec.Containers, 1, workload)
		c := containerFrom(t, root, spec.Containers[0], m.configMaps)
		t.Run(workload, func(t *testing.T) {
			require.NotEmpty(t, c.configs)
			for _, cfg := range c.configs {
				assert.FileExists(t, cfg)
				assert.Contains(t, string(dockerfile), "configs/"+filepath.Base(cfg), "the image carries %s", filepath.Base(cfg))
				for _, name := range requiredEnv(t, cfg) {
					assert.Contains(t, c.env, name, "%s reads %s, which the container does not set", filepath.Base(cfg), name)
				}
			}
			for port, from := range boundPorts(t, c) {
				assert.True(t, c.ports[port], "port %d (%s) is bound but not declared", port, from)
			}
			for name, value := range c.env {
				if strings.HasSuffix(name, "_ENDPOINT") && (strings.HasPrefix(name, "GATEWAY_") || strings.HasPrefix(name, "SIDECAR_")) {
					assert.True(t, strings.HasPrefix(value, "0.0.0.0:"), "%s=%s: other pods could not reach it", name, value)
				}
			}
			usesDataDir := false
			for _, cfg := range c.configs {
				raw, err := os.ReadFile(cfg)
				require.NoError(t, err)
				usesDataDir = usesDataDir || strings.Contains(string(raw), "${env:OTELCOL_MLOPS_DATA_DIR")
			}
			if usesDataDir {
				assert.Contains(t, c.mounts, c.env["OTELCOL_MLOPS_DATA_DIR"], "the data directory is a volume")
			} else {
				assert.NotContains(t, c.env, "OTELCOL_MLOPS_DATA_DIR", "no config of %s keeps files", workload)
			}

			limit := c.resources.Limits.Memory()
			require.False(t, limit.IsZero(), "a memory limit is set")
			gomem := resource.MustParse(strings.TrimSuffix(c.env["GOMEMLIMIT"], "B"))
			assert.Negative(t, gomem.Cmp(*limit), "GOMEMLIMIT below the container's limit")
			if mib, ok := c.env["GATEWAY_MEMORY_LIMIT_MIB"]; ok {
				hard := resource.MustParse(mib + "Mi")
				spike := resource.MustParse(c.env["GATEWAY_MEMORY_SPIKE_MIB"] + "Mi")
				soft := hard.DeepCopy()
				soft.Sub(spike)
				assert.Negative(t, hard.Cmp(*limit), "memory_limiter's limit below the container's")
				assert.Positive(t, gomem.Cmp(soft), "GOMEMLIMIT above the limiter's soft limit (docs/reliability.md)")
				assert.Negative(t, gomem.Cmp(hard), "GOMEMLIMIT below the limiter's hard limit")
			}

			c.validates(t)
		})
	}
}

// k8sAttributesResources is what the k8s_attributes processor watches for a configuration
// (contrib v0.152.0, internal/kube/client.go): pods always, the rest for what is extracted.
func k8sAttributesResources(t *testing.T, cfg map[string]any) map[string]bool {
	need := map[string]bool{"/pods": true}
	extract, _ := cfg["extract"].(map[string]any)
	metadata, _ := extract["metadata"].([]any)
	for _, md := range metadata {
		switch md {
		case "k8s.deployment.name", "k8s.deployment.uid":
			need["apps/replicasets"] = true
		case "k8s.cronjob.name", "k8s.cronjob.uid":
			need["batch/jobs"] = true
		case "k8s.node.uid":
			need["/nodes"] = true
		case "k8s.cluster.uid":
			need["/namespaces"] = true
		}
	}
	for _, key := range []string{"labels", "annotations"} {
		rules, _ := extract[key].([]any)
		for _, r := range rules {
			from, _ := r.(map[string]any)["from"].(string)
			switch from {
			case "", "pod":
			case "namespace":
				need["/namespaces"] = true
			case "node":
				need["/nodes"] = true
			case "deployment", "statefulset", "daemonset":
				need["apps/"+from+"s"] = true
			case "job":
				need["batch/jobs"] = true
			default:
				t.Fatalf("k8s_attributes %s from %q: extend the test", key, from)
			}
		}
	}
	return need
}

// The agent's ClusterRole grants get, list and watch on exactly what k8s_attributes reads.
func TestAgentRBACCoversK8sAttributes(t *testing.T) {
	root := collectortest.RepoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "configs", "sidecar-kubernetes.yaml"))
	require.NoError(t, err)
	var cfg struct {
		Processors map[string]map[string]any `json:"processors"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	k8sAttrs, ok := cfg.Processors["k8s_attributes"]
	require.True(t, ok)
	need := k8sAttributesResources(t, k8sAttrs)

	m := loadManifests(t)
	require.Len(t, m.clusterRoles, 1)
	granted := map[string]bool{}
	for _, rule := range m.clusterRoles[0].Rules {
		for _, verb := range []string{"get", "list", "watch"} {
			assert.Contains(t, rule.Verbs, verb, "%v", rule)
		}
		for _, g := range rule.APIGroups {
			for _, r := range rule.Resources {
				granted[g+"/"+r] = true
			}
		}
	}
	assert.Equal(t, need, granted, "the ClusterRole grants what k8s_attributes reads, no more")
}

// The agent's startup probe lets start-up wait for this node's pods (k8s_attributes'
// wait_for_metadata_timeout, once per pipeline that runs it) before liveness can restart it,
// and ends a start-up that hangs: the collector does not exit when the wait times out.
func TestAgentStartupProbeCoversTheMetadataWait(t *testing.T) {
	root := collectortest.RepoRoot(t)
	wait := agentMetadataWait(t, root)
	raw, err := os.ReadFile(filepath.Join(root, "configs", "sidecar-kubernetes.yaml"))
	require.NoError(t, err)
	var cfg struct {
		Service struct {
			Pipelines map[string]struct {
				Processors []string `json:"processors"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	waits := 0
	for _, p := range cfg.Service.Pipelines {
		if slices.Contains(p.Processors, "k8s_attributes") {
			waits++
		}
	}
	require.Positive(t, waits)

	probe := loadManifests(t).podSpecs["otelcol-mlops-agent"].Containers[0].StartupProbe
	require.NotNil(t, probe, "the agent has a startup probe")
	window := time.Duration(probe.PeriodSeconds*probe.FailureThreshold) * time.Second
	assert.GreaterOrEqual(t, window, time.Duration(waits)*wait+10*time.Second, "the probe outlasts %d waits of %s", waits, wait)
	assert.LessOrEqual(t, window, 2*time.Minute, "a hung start-up is restarted within minutes")
}
