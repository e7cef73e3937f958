// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

//go:build e2e

package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
	"github.com/otelcol-mlops/otelcol-mlops/tests/internal/collectortest"
)

// The Kubernetes tier runs deploy/kubernetes and the agent's shipped configs against a real
// kube-apiserver (tools/kube-apiserver, over etcd from tools/etcd). There is no kubelet: the
// test creates the workload objects and their pods itself, with the owner references the
// controllers would set, and writes the pods' container logs where the kubelet would.

const (
	agentNode     = "gpu-node-a"
	otherNode     = "gpu-node-b"
	workloadNS    = "ml"
	agentSA       = "otelcol-mlops-agent"
	agentSANS     = "observability"
	saMountDir    = "/run/secrets/kubernetes.io/serviceaccount"
	gatewayDNS    = "otelcol-mlops-gateway.observability.svc.cluster.local"
	modelNameAttr = "ml.model.name"
)

// kubePod is one pod the test creates on a node, owned as its controller would own it, and
// what the agent must add to each line it reads from the pod's log.
type kubePod struct {
	name, node string
	labels     map[string]string
	owner      *kubeObject // nil: a bare pod
	uid        string
	want       map[string]string // resource attributes every record of the pod carries
	absent     []string          // resource attributes no record of the pod may carry
}

// kubeTraceSeq numbers the lines' legacy trace IDs: one trace per line.
var kubeTraceSeq atomic.Uint64

type kubeObject struct{ kind, apiVersion, name, uid string }

type kubeCluster struct {
	*processes.Kubernetes
	root, dir string
	logDir    string // what /var/log/pods is on the agent's node
	saDir     string // the agent's service-account mount (token, ca.crt)
	hosts     string // /etc/hosts inside the agent's mount namespace
	pods      []*kubePod
	// lastGateways are those twoGateways made last.
	lastGateways []*captureGateway
}

func startKubeCluster(t *testing.T) *kubeCluster {
	t.Helper()
	root := collectortest.RepoRoot(t)
	dir := t.TempDir()
	pki := testutil.WritePKI(t, dir)
	k, err := processes.StartKubernetes(root, dir, processes.KubernetesPKI{CAFile: pki.CAFile, ServerCert: pki.ServerCert, ServerKey: pki.ServerKey, ServiceAccountKey: pki.ServerKey})
	require.NoError(t, err)
	t.Cleanup(k.Stop)
	c := &kubeCluster{Kubernetes: k, root: root, dir: dir, logDir: filepath.Join(dir, "var-log-pods"), saDir: filepath.Join(dir, "serviceaccount")}
	require.NoError(t, os.MkdirAll(c.logDir, 0o755))
	require.NoError(t, os.MkdirAll(c.saDir, 0o755))
	ca, err := os.ReadFile(pki.CAFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(c.saDir, "ca.crt"), ca, 0o600))
	return c
}

func (c *kubeCluster) kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := c.Kubectl(stdin, args...)
	require.NoError(t, err)
	return out
}

// create creates an object from its YAML and returns its UID.
func (c *kubeCluster) create(t *testing.T, manifest string) string {
	t.Helper()
	// Flow-style YAML: the leading comment keeps kubectl from reading it as JSON.
	return strings.TrimSpace(c.kubectl(t, "# test object\n"+manifest, "create", "-f", "-", "-o", "jsonpath={.metadata.uid}"))
}

// applyShippedManifests applies deploy/kubernetes as the README says and returns each object
// kustomize renders (kind/name).
func (c *kubeCluster) applyShippedManifests(t *testing.T) []string {
	t.Helper()
	c.kubectl(t, "", "apply", "-k", filepath.Join(c.root, "deploy", "kubernetes"))
	rendered := c.kubectl(t, "", "kustomize", filepath.Join(c.root, "deploy", "kubernetes"))
	var objects []string
	for _, doc := range strings.Split(rendered, "\n---\n") {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &meta))
		if meta.Kind != "" {
			objects = append(objects, fmt.Sprintf("%s/%s/%s", meta.Metadata.Namespace, meta.Kind, meta.Metadata.Name))
		}
	}
	return objects
}

func podTemplate(labels map[string]string) string {
	l, _ := json.Marshal(labels)
	return fmt.Sprintf(`{metadata: {labels: %s}, spec: {containers: [{name: app, image: registry.example/app:1}]}}`, l)
}

// createWorkloads creates, in namespace ml, a pod for each owner kind the agent resolves: a
// Deployment's (through its ReplicaSet), a StatefulSet's, a DaemonSet's and a Job's, and a
// pod on another node, which the agent must not watch.
func (c *kubeCluster) createWorkloads(t *testing.T) {
	t.Helper()
	c.kubectl(t, "", "create", "namespace", workloadNS)
	// The ServiceAccount controller does not run: pods need their namespace's default account.
	c.kubectl(t, "", "-n", workloadNS, "create", "serviceaccount", "default")

	model := func(app, name, version string) map[string]string {
		return map[string]string{"app.kubernetes.io/name": app, "mlops.io/model-name": name, "mlops.io/model-version": version}
	}
	apiLabels := model("trainer-api", "resnet50", "v1")
	deploy := &kubeObject{kind: "Deployment", apiVersion: "apps/v1", name: "trainer-api"}
	deploy.uid = c.create(t, fmt.Sprintf(`{apiVersion: apps/v1, kind: Deployment, metadata: {name: trainer-api, namespace: %s},
  spec: {selector: {matchLabels: {app.kubernetes.io/name: trainer-api}}, template: %s}}`, workloadNS, podTemplate(apiLabels)))
	rs := &kubeObject{kind: "ReplicaSet", apiVersion: "apps/v1", name: "trainer-api-7d9f8c6b5"}
	rs.uid = c.create(t, fmt.Sprintf(`{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: %s, namespace: %s,
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: trainer-api, uid: %s, controller: true}]},
  spec: {selector: {matchLabels: {app.kubernetes.io/name: trainer-api}}, template: %s}}`, rs.name, workloadNS, deploy.uid, podTemplate(apiLabels)))

	serverLabels := model("model-server", "resnet50", "v1")
	sts := &kubeObject{kind: "StatefulSet", apiVersion: "apps/v1", name: "model-server"}
	sts.uid = c.create(t, fmt.Sprintf(`{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: model-server, namespace: %s},
  spec: {serviceName: model-server, selector: {matchLabels: {app.kubernetes.io/name: model-server}}, template: %s}}`, workloadNS, podTemplate(serverLabels)))

	exporterLabels := map[string]string{"app.kubernetes.io/name": "gpu-exporter"}
	ds := &kubeObject{kind: "DaemonSet", apiVersion: "apps/v1", name: "gpu-exporter"}
	ds.uid = c.create(t, fmt.Sprintf(`{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: gpu-exporter, namespace: %s},
  spec: {selector: {matchLabels: {app.kubernetes.io/name: gpu-exporter}}, template: %s}}`, workloadNS, podTemplate(exporterLabels)))

	jobLabels := model("train-resnet", "resnet50", "v2")
	job := &kubeObject{kind: "Job", apiVersion: "batch/v1", name: "train-resnet-20261130"}
	job.uid = c.create(t, fmt.Sprintf(`{apiVersion: batch/v1, kind: Job, metadata: {name: %s, namespace: %s},
  spec: {template: {metadata: {labels: %s}, spec: {restartPolicy: Never, containers: [{name: app, image: registry.example/app:1}]}}}}`,
		job.name, workloadNS, mustJSON(jobLabels)))

	withModel := func(attrs map[string]string, labels map[string]string) map[string]string {
		attrs["k8s.namespace.name"] = workloadNS
		attrs["k8s.node.name"] = agentNode
		attrs["service.name"] = labels["app.kubernetes.io/name"]
		if m, ok := labels["mlops.io/model-name"]; ok {
			attrs[modelNameAttr] = m
			attrs["ml.model.version"] = labels["mlops.io/model-version"]
		}
		return attrs
	}
	c.pods = []*kubePod{
		{name: "trainer-api-7d9f8c6b5-x2k4p", node: agentNode, labels: apiLabels, owner: rs,
			want: withModel(map[string]string{"k8s.deployment.name": "trainer-api"}, apiLabels)},
		{name: "model-server-0", node: agentNode, labels: serverLabels, owner: sts,
			want: withModel(map[string]string{"k8s.statefulset.name": "model-server"}, serverLabels), absent: []string{"k8s.deployment.name"}},
		{name: "gpu-exporter-q7m2d", node: agentNode, labels: exporterLabels, owner: ds,
			want: withModel(map[string]string{"k8s.daemonset.name": "gpu-exporter"}, exporterLabels), absent: []string{modelNameAttr}},
		{name: "train-resnet-20261130-h8w5z", node: agentNode, labels: jobLabels, owner: job,
			want: withModel(map[string]string{"k8s.job.name": job.name}, jobLabels)},
		// Another node's pod: its files are not on this node in a real cluster; here they are,
		// and the agent, watching only its own node's pods, must not enrich them.
		{name: "trainer-api-7d9f8c6b5-other", node: otherNode, labels: apiLabels, owner: rs,
			want:   map[string]string{"k8s.pod.name": "trainer-api-7d9f8c6b5-other", "service.name": "app"},
			absent: []string{"k8s.deployment.name", modelNameAttr, "k8s.node.name"}},
	}
	for _, p := range c.pods {
		owner := ""
		if p.owner != nil {
			owner = fmt.Sprintf(`ownerReferences: [{apiVersion: %s, kind: %s, name: %s, uid: %s, controller: true}],`, p.owner.apiVersion, p.owner.kind, p.owner.name, p.owner.uid)
		}
		p.uid = c.create(t, fmt.Sprintf(`{apiVersion: v1, kind: Pod, metadata: {name: %s, namespace: %s, %s labels: %s},
  spec: {nodeName: %s, containers: [{name: app, image: registry.example/app:1}]}}`, p.name, workloadNS, owner, mustJSON(p.labels), p.node))
		p.want["k8s.pod.uid"] = p.uid
		p.want["k8s.pod.name"] = p.name
		p.want["k8s.container.name"] = "app"
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// logPath is where the kubelet writes a pod's container log: /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log.
func (c *kubeCluster) logPath(p *kubePod) string {
	return filepath.Join(c.logDir, fmt.Sprintf("%s_%s_%s", workloadNS, p.name, p.uid), "app", "0.log")
}

// writeLines appends n CRI lines (JSON application logs, one trace per line) to each pod's
// log and returns each line's marker by pod name.
func (c *kubeCluster) writeLines(t *testing.T, round string, n int) map[string][]string {
	t.Helper()
	markers := map[string][]string{}
	for _, p := range c.pods {
		path := c.logPath(p)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		require.NoError(t, err)
		for i := range n {
			marker := fmt.Sprintf("%s %s line %d", p.name, round, i)
			line := fmt.Sprintf(`{"level":"INFO","message":%q,"trace_id":"%032x"}`, marker, kubeTraceSeq.Add(1))
			_, err = fmt.Fprintf(f, "%s stdout F %s\n", time.Now().UTC().Format(time.RFC3339Nano), line)
			require.NoError(t, err)
			markers[p.name] = append(markers[p.name], marker)
		}
		require.NoError(t, f.Close())
	}
	return markers
}

// agentToken is a token for the agent's ServiceAccount, as the kubelet mounts it.
func (c *kubeCluster) agentToken(t *testing.T) {
	t.Helper()
	token := strings.TrimSpace(c.kubectl(t, "", "-n", agentSANS, "create", "token", agentSA, "--duration=1h"))
	require.NoError(t, os.WriteFile(filepath.Join(c.saDir, "token"), []byte(token), 0o600))
}

// twoGateways listens where the agent's DNS name resolves: the same port on 127.0.0.1 and
// 127.0.0.2, the two addresses /etc/hosts gives the gateways' headless Service name inside
// the agent's mount namespace.
func (c *kubeCluster) twoGateways(t *testing.T) (port string, gateways []*captureGateway) {
	t.Helper()
	for range 20 {
		l1, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		_, port, _ = net.SplitHostPort(l1.Addr().String())
		l2, err := net.Listen("tcp", "127.0.0.2:"+port)
		if err != nil {
			_ = l1.Close()
			continue
		}
		c.hosts = filepath.Join(c.dir, "hosts")
		require.NoError(t, os.WriteFile(c.hosts, []byte("127.0.0.1 localhost\n127.0.0.1 "+gatewayDNS+"\n127.0.0.2 "+gatewayDNS+"\n"), 0o644))
		return port, []*captureGateway{serveCaptureGateway(t, l1), serveCaptureGateway(t, l2)}
	}
	t.Fatal("no port free on both 127.0.0.1 and 127.0.0.2")
	return "", nil
}

// launchAgent runs the agent's container as the applied DaemonSet declares it (its configs,
// its environment), on agentNode, with the in-cluster credentials at their usual paths: the
// binary runs in a private mount namespace holding the service-account mount and /etc/hosts.
// Only what a node gives a pod is replaced: loopback ports, the log and data directories,
// the API server's address.
func (c *kubeCluster) launchAgent(t *testing.T, gatewayPort, dataDir string, apiDelay time.Duration) (agent *processes.Process, healthURL string) {
	t.Helper()
	var ds appsv1.DaemonSet
	require.NoError(t, json.Unmarshal([]byte(c.kubectl(t, "", "-n", agentSANS, "get", "daemonset", "otelcol-mlops-agent", "-o", "json")), &ds))
	configMaps := map[string]corev1.ConfigMap{}
	for _, from := range ds.Spec.Template.Spec.Containers[0].EnvFrom {
		var cm corev1.ConfigMap
		require.NoError(t, json.Unmarshal([]byte(c.kubectl(t, "", "-n", agentSANS, "get", "configmap", from.ConfigMapRef.Name, "-o", "json")), &cm))
		configMaps[cm.Name] = cm
	}
	ctr := containerFrom(t, c.root, ds.Spec.Template.Spec.Containers[0], configMaps)
	env := ctr.env
	require.Equal(t, "from-the-cluster", env["K8S_NODE_NAME"], "the node name comes from the downward API")
	env["K8S_NODE_NAME"] = agentNode
	require.Equal(t, gatewayDNS, env["GATEWAY_DNS_NAME"])
	env["GATEWAY_OTLP_PORT"] = gatewayPort
	env["SIDECAR_LOG_PATHS"] = strings.Replace(env["SIDECAR_LOG_PATHS"], "/var/log/pods", c.logDir, 1)
	env["OTELCOL_MLOPS_DATA_DIR"] = dataDir
	env["SIDECAR_TELEMETRY_HOST"] = "127.0.0.1"
	for name, value := range env {
		if strings.HasPrefix(value, "0.0.0.0:") {
			addr, err := processes.FreeAddr()
			require.NoError(t, err)
			env[name] = addr
		}
	}
	telemetry, err := processes.FreeAddr()
	require.NoError(t, err)
	_, env["SIDECAR_TELEMETRY_PORT"], _ = net.SplitHostPort(telemetry)
	env["KUBERNETES_SERVICE_HOST"], env["KUBERNETES_SERVICE_PORT"] = c.Host, c.Port
	if apiDelay > 0 {
		env["KUBERNETES_SERVICE_HOST"], env["KUBERNETES_SERVICE_PORT"] = slowProxy(t, net.JoinHostPort(c.Host, c.Port), apiDelay)
	}

	script := `set -e
mount -t tmpfs tmpfs /run
mkdir -p ` + saMountDir + `
cp "$SA_DIR/token" "$SA_DIR/ca.crt" ` + saMountDir + `/
mount --bind "$HOSTS_FILE" /etc/hosts
exec "$@"`
	args := []string{"--mount", "--propagation", "private", "sh", "-c", script, "sh", collectortest.Binary(t)}
	for _, cfg := range ctr.configs {
		args = append(args, "--config", cfg)
	}
	vars := []string{"SA_DIR=" + c.saDir, "HOSTS_FILE=" + c.hosts}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	p, err := processes.StartProcess(c.dir, vars, "unshare", args...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Stop(20 * time.Second) })
	return p, "http://" + env["SIDECAR_HEALTH_ENDPOINT"] + "/"
}

// startAgent is launchAgent, waiting until the agent is healthy.
func (c *kubeCluster) startAgent(t *testing.T, gatewayPort, dataDir string, apiDelay time.Duration) *processes.Process {
	t.Helper()
	p, health := c.launchAgentOnFreePorts(t, gatewayPort, dataDir, apiDelay)
	require.NoError(t, p.WaitHTTP(health, 60*time.Second), p.Output())
	return p
}

// launchAgentOnFreePorts is launchAgent, again on new ports while another process took one of
// the agent's between FreeAddr and its bind (go test runs packages in parallel).
func (c *kubeCluster) launchAgentOnFreePorts(t *testing.T, gatewayPort, dataDir string, apiDelay time.Duration) (*processes.Process, string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p, health := c.launchAgent(t, gatewayPort, dataDir, apiDelay)
		err := p.WaitHTTP(health, 3*time.Second)
		if !errors.Is(err, processes.ErrPortTaken) || attempt == 3 {
			return p, health
		}
		p.Kill()
	}
}

// slowProxy forwards connections to target, each after delay: an API server that takes that
// long to answer, as a busy one does while a DaemonSet's agents all restart and list at once.
func slowProxy(t *testing.T, target string, delay time.Duration) (host, port string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = client.Close() }()
				time.Sleep(delay)
				server, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer func() { _ = server.Close() }()
				go func() { _, _ = io.Copy(server, client) }()
				_, _ = io.Copy(client, server)
			}()
		}
	}()
	host, port, _ = net.SplitHostPort(l.Addr().String())
	return host, port
}

// agentMetadataWait is how long each k8s_attributes instance (one per pipeline) of the
// agent's shipped config waits for its pods at start.
func agentMetadataWait(t *testing.T, root string) time.Duration {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "configs", "sidecar-kubernetes.yaml"))
	require.NoError(t, err)
	var cfg struct {
		Processors struct {
			K8sAttributes struct {
				Wait    bool   `json:"wait_for_metadata"`
				Timeout string `json:"wait_for_metadata_timeout"`
			} `json:"k8s_attributes"`
		} `json:"processors"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	require.True(t, cfg.Processors.K8sAttributes.Wait, "the agent waits for its pods' metadata before reading files")
	d, err := time.ParseDuration(cfg.Processors.K8sAttributes.Timeout)
	require.NoError(t, err)
	return d
}

// receivedRecord is one log record a gateway received: its resource attributes and body.
type receivedRecord struct {
	resource map[string]string
	body     string
	gateway  int
}

func receivedRecords(gateways []*captureGateway) []receivedRecord {
	var out []receivedRecord
	for i, g := range gateways {
		g.mu.Lock()
		for _, ld := range g.logs {
			for _, rl := range ld.ResourceLogs().All() {
				res := map[string]string{}
				for k, v := range rl.Resource().Attributes().All() {
					res[k] = v.AsString()
				}
				for _, sl := range rl.ScopeLogs().All() {
					for _, lr := range sl.LogRecords().All() {
						out = append(out, receivedRecord{resource: res, body: lr.Body().AsString(), gateway: i})
					}
				}
			}
		}
		g.mu.Unlock()
	}
	return out
}

// waitForMarkers waits until every marker arrived and returns the record of each.
func waitForMarkers(t *testing.T, gateways []*captureGateway, agent *processes.Process, markers map[string][]string) map[string]receivedRecord {
	t.Helper()
	found := map[string]receivedRecord{}
	want := 0
	for _, ms := range markers {
		want += len(ms)
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(found) < want && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		for _, r := range receivedRecords(gateways) {
			for _, ms := range markers {
				for _, m := range ms {
					if strings.Contains(r.body, `"`+m+`"`) {
						found[m] = r
					}
				}
			}
		}
	}
	require.Len(t, found, want, "lines the gateways received\n%s", agent.Output())
	return found
}

// enrichmentFailures lists, per pod, each attribute its records lack or carry wrongly.
func enrichmentFailures(pods []*kubePod, markers map[string][]string, got map[string]receivedRecord) []string {
	var failures []string
	seen := map[string]bool{}
	fail := func(f string) {
		if !seen[f] {
			seen[f] = true
			failures = append(failures, f)
		}
	}
	for _, p := range pods {
		for _, m := range markers[p.name] {
			res := got[m].resource
			for k, v := range p.want {
				if res[k] != v {
					fail(fmt.Sprintf("%s: %s=%q, want %q", p.name, k, res[k], v))
				}
			}
			for _, k := range p.absent {
				if v, ok := res[k]; ok {
					fail(fmt.Sprintf("%s: %s=%q, want none", p.name, k, v))
				}
			}
		}
	}
	return failures
}

// The agent, as deploy/kubernetes runs it with its shipped configs unchanged, against a real
// API server: the manifests apply; lines already waiting when the agent starts and lines
// written later carry each owner kind's name, the pod's labels and service.name; another
// node's pods are not watched; a label change is followed; a deleted pod's last lines keep
// their metadata; the gateways are found through their headless Service's DNS name and each
// trace goes to one of them; and every ClusterRole rule is needed.
func TestAgentOnARealAPIServer(t *testing.T) {
	c := startKubeCluster(t)

	objects := c.applyShippedManifests(t)
	for _, obj := range objects {
		ns, kindName, _ := strings.Cut(obj, "/")
		kind, name, _ := strings.Cut(kindName, "/")
		args := []string{"get", kind, name, "-o", "name"}
		if ns != "" {
			args = append(args, "-n", ns)
		}
		c.kubectl(t, "", args...)
	}
	t.Logf("kubectl apply -k deploy/kubernetes created %d objects", len(objects))
	c.agentToken(t)
	c.createWorkloads(t)
	port, gateways := c.twoGateways(t)

	// A backlog: every pod has logged before the agent starts (a node reboot, an agent
	// rollout), and the API server takes seconds to answer the agent's first list.
	backlog := c.writeLines(t, "backlog", 20)
	agent := c.startAgent(t, port, t.TempDir(), 3*time.Second)
	got := waitForMarkers(t, gateways, agent, backlog)
	assert.Empty(t, enrichmentFailures(c.pods, backlog, got), "lines waiting when the agent started")

	live := c.writeLines(t, "live", 5)
	got = waitForMarkers(t, gateways, agent, live)
	assert.Empty(t, enrichmentFailures(c.pods, live, got), "lines written while the agent runs")

	t.Run("each trace goes to one gateway, and both gateways are used", func(t *testing.T) {
		byTrace := map[string]map[int]bool{}
		for _, r := range receivedRecords(gateways) {
			var body struct {
				TraceID string `json:"trace_id"`
			}
			if json.Unmarshal([]byte(r.body), &body) == nil && body.TraceID != "" {
				if byTrace[body.TraceID] == nil {
					byTrace[body.TraceID] = map[int]bool{}
				}
				byTrace[body.TraceID][r.gateway] = true
			}
		}
		used := map[int]bool{}
		for trace, gws := range byTrace {
			assert.Len(t, gws, 1, "trace %s went to more than one gateway", trace)
			for g := range gws {
				used[g] = true
			}
		}
		assert.Len(t, used, 2, "the DNS name resolves to two gateways; both receive traces")
	})

	t.Run("a label change is followed", func(t *testing.T) {
		api := c.pods[0]
		c.kubectl(t, "", "-n", workloadNS, "label", "pod", api.name, "mlops.io/model-version=v3", "--overwrite")
		api.want["ml.model.version"] = "v3"
		deadline := time.Now().Add(30 * time.Second)
		for round := 0; ; round++ {
			markers := c.writeLines(t, fmt.Sprintf("relabel%d", round), 1)
			got := waitForMarkers(t, gateways, agent, markers)
			if got[markers[api.name][0]].resource["ml.model.version"] == "v3" {
				break
			}
			require.True(t, time.Now().Before(deadline), "the new label never reached the records")
		}
	})

	t.Run("a deleted pod's last lines keep its metadata", func(t *testing.T) {
		job := c.pods[3]
		c.kubectl(t, "", "-n", workloadNS, "delete", "pod", job.name, "--wait=false")
		// The kubelet's last flush of a finished pod's log lands after the deletion.
		time.Sleep(2 * time.Second)
		markers := c.writeLines(t, "after-delete", 3)
		got := waitForMarkers(t, gateways, agent, markers)
		assert.Empty(t, enrichmentFailures([]*kubePod{job}, markers, got))
	})
	require.NoError(t, agent.Stop(20*time.Second))

	t.Run("every ClusterRole rule is needed", func(t *testing.T) {
		var role rbacv1.ClusterRole
		require.NoError(t, json.Unmarshal([]byte(c.kubectl(t, "", "get", "clusterrole", agentSA, "-o", "json")), &role))
		api := c.pods[0]
		// What breaks without each rule.
		breaks := map[string]func(t *testing.T, agent *processes.Process, health string){
			// No pod is known: the agent does not start, ships nothing without its pods'
			// metadata, and says why. (When the wait times out, k8s_attributes reports a fatal
			// error from Start, which collector v0.152.0 never reads during start-up
			// (opentelemetry-collector#8116): the agent stays unready until the kubelet's
			// startup probe restarts it, deploy/kubernetes/agent.yaml.)
			"pods": func(t *testing.T, agent *processes.Process, health string) {
				deadline := time.Now().Add(2*agentMetadataWait(t, c.root) + 10*time.Second)
				for !agent.Exited() && time.Now().Before(deadline) {
					require.Error(t, agent.WaitHTTP(health, time.Second), "healthy without its pods' metadata")
				}
				assert.Empty(t, receivedRecords(c.lastGateways), "lines shipped without their pods' metadata")
				assert.Contains(t, agent.Output(), `cannot list resource \"pods\"`)
				agent.Kill()
			},
			// Pods are known, their ReplicaSets are not: no deployment name.
			"replicasets": func(t *testing.T, agent *processes.Process, health string) {
				gateways := c.lastGateways
				require.NoError(t, agent.WaitHTTP(health, time.Minute), agent.Output())
				markers := map[string][]string{api.name: backlog[api.name]}
				got := waitForMarkers(t, gateways, agent, markers)
				for _, m := range markers[api.name] {
					assert.NotContains(t, got[m].resource, "k8s.deployment.name")
					assert.Equal(t, "resnet50", got[m].resource[modelNameAttr], "the pod itself is still known")
				}
				assert.Contains(t, agent.Output(), `cannot list resource \"replicasets\"`)
			},
		}
		require.Len(t, role.Rules, len(breaks), "a rule this test does not know: say what breaks without it")
		for i, rule := range role.Rules {
			resource := strings.Join(rule.Resources, ",")
			check, ok := breaks[resource]
			require.True(t, ok, "rule on %s: say what breaks without it", resource)
			t.Run("without "+resource, func(t *testing.T) {
				reduced := role.DeepCopy()
				reduced.ResourceVersion, reduced.UID, reduced.ManagedFields = "", "", nil
				reduced.Rules = append(append([]rbacv1.PolicyRule{}, role.Rules[:i]...), role.Rules[i+1:]...)
				c.kubectl(t, mustJSON(reduced), "replace", "-f", "-")
				defer func() {
					restored := role.DeepCopy()
					restored.ResourceVersion, restored.ManagedFields = "", nil
					c.kubectl(t, mustJSON(restored), "replace", "-f", "-")
				}()
				port, gateways := c.twoGateways(t)
				c.lastGateways = gateways
				agent, health := c.launchAgentOnFreePorts(t, port, t.TempDir(), 0)
				check(t, agent, health)
			})
		}
	})

	t.Run("the agent's account reads nothing else", func(t *testing.T) {
		as := "--as=system:serviceaccount:" + agentSANS + ":" + agentSA
		for _, what := range []string{"secrets", "configmaps", "nodes", "namespaces", "deployments.apps", "jobs.batch", "events"} {
			out, _ := c.Kubectl("", "auth", "can-i", "list", what, "--all-namespaces", as)
			assert.Equal(t, "no", strings.TrimSpace(out), "list %s", what)
		}
		for _, verb := range []string{"create", "update", "delete", "patch"} {
			out, _ := c.Kubectl("", "auth", "can-i", verb, "pods", "--all-namespaces", as)
			assert.Equal(t, "no", strings.TrimSpace(out), "%s pods", verb)
		}
	})
}
