// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// kubernetesVersion is the API server the Kubernetes tier runs (tools/kube-apiserver); its
// version variables are set at link time, as Kubernetes' own build does, so clients see the
// real version instead of v0.0.0-master.
const kubernetesVersion = "v1.34.2"

// EtcdBinary returns bin/etcd, building it from tools/etcd when missing (~7 min cold).
func EtcdBinary(root string) (string, error) {
	return toolBinary(root, "etcd", "go.etcd.io/etcd/server/v3", "go.etcd.io")
}

// KubeAPIServerBinary returns bin/kube-apiserver, building it from tools/kube-apiserver when
// missing (15–30 min cold on 2 cores).
func KubeAPIServerBinary(root string) (string, error) {
	v := "k8s.io/component-base/version"
	major, minor, _ := strings.Cut(strings.TrimPrefix(kubernetesVersion, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	return toolBinary(root, "kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io",
		"-ldflags", fmt.Sprintf("-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s", v, kubernetesVersion, v, major, v, minor))
}

// Kubernetes is a real API server (RBAC on, no kubelet, scheduler or controllers: objects are
// stored and served, pods stay Pending) over its own etcd.
type Kubernetes struct {
	etcd      *etcdProcess
	apiserver *Process
	// Host and Port are where the API server listens: what KUBERNETES_SERVICE_HOST/PORT say
	// inside a pod.
	Host, Port string
	// CAFile signs the server's certificate: the ca.crt a pod's service account mount holds.
	CAFile string
	// Kubeconfig authenticates as a cluster administrator (system:masters).
	Kubeconfig string
}

// KubernetesPKI is the API server's serving certificate (valid for 127.0.0.1), the CA that
// signed it and an RSA key that signs service-account tokens.
type KubernetesPKI struct {
	CAFile, ServerCert, ServerKey, ServiceAccountKey string
}

// StartKubernetes starts etcd and the API server with their state in dir and waits until the
// API server is ready (~10 s). Stop them with Kubernetes.Stop.
func StartKubernetes(root, dir string, pki KubernetesPKI) (*Kubernetes, error) {
	etcdBin, err := EtcdBinary(root)
	if err != nil {
		return nil, err
	}
	apiBin, err := KubeAPIServerBinary(root)
	if err != nil {
		return nil, err
	}
	k := &Kubernetes{CAFile: pki.CAFile, Host: "127.0.0.1"}
	if k.etcd, err = startEtcd(etcdBin, dir); err != nil {
		return nil, err
	}
	etcdURL := "http://" + k.etcd.addr
	addr, err := FreeAddr()
	if err != nil {
		k.Stop()
		return nil, err
	}
	_, k.Port, _ = net.SplitHostPort(addr)
	const adminToken = "otelcol-mlops-test-admin"
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(adminToken+`,admin,admin,"system:masters"`+"\n"), 0o600); err != nil {
		k.Stop()
		return nil, err
	}
	k.apiserver, err = StartProcess(dir, nil, apiBin,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+k.Port,
		"--tls-cert-file="+pki.ServerCert, "--tls-private-key-file="+pki.ServerKey,
		"--client-ca-file="+pki.CAFile,
		"--authorization-mode=RBAC", "--token-auth-file="+tokens,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.ServiceAccountKey, "--service-account-signing-key-file="+pki.ServiceAccountKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--cert-dir="+filepath.Join(dir, "certs"))
	if err != nil {
		k.Stop()
		return nil, err
	}
	if err := k.waitReady(90 * time.Second); err != nil {
		out := k.apiserver.Output()
		k.Stop()
		return nil, fmt.Errorf("kube-apiserver: %w\n%s", err, tail(out, 4000))
	}
	k.Kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(k.Kubeconfig, []byte(kubeconfig("https://"+addr, pki.CAFile, adminToken)), 0o600); err != nil {
		k.Stop()
		return nil, err
	}
	return k, nil
}

type etcdProcess struct {
	*Process
	addr string
}

func startEtcd(bin, dir string) (*etcdProcess, error) {
	client, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	peer, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	p, err := StartProcess(dir, nil, bin, "--name=test", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls=http://"+client, "--advertise-client-urls=http://"+client,
		"--listen-peer-urls=http://"+peer, "--initial-advertise-peer-urls=http://"+peer,
		"--initial-cluster=test=http://"+peer, "--log-level=warn")
	if err != nil {
		return nil, err
	}
	if err := p.WaitHTTP("http://"+client+"/health", 30*time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("etcd: %w\n%s", err, p.Output())
	}
	return &etcdProcess{Process: p, addr: client}, nil
}

func (k *Kubernetes) waitReady(timeout time.Duration) error {
	caPEM, err := os.ReadFile(k.CAFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return errors.New("no certificate in " + k.CAFile)
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	url := "https://" + net.JoinHostPort(k.Host, k.Port) + "/readyz"
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if k.apiserver.Exited() {
			return errors.New("exited before it was ready")
		}
		if resp, err := client.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %s", url, timeout)
}

// Kubectl runs kubectl as the administrator and returns its combined output.
func (k *Kubernetes) Kubectl(stdin string, args ...string) (string, error) {
	// A kubectl that cannot finish (an API server that stopped answering) fails the test
	// instead of holding it until go test's own timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig=" + k.Kubeconfig, "--request-timeout=60s"}, args...)...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Stop stops the API server, then etcd.
func (k *Kubernetes) Stop() {
	if k.apiserver != nil {
		_ = k.apiserver.Stop(10 * time.Second)
	}
	if k.etcd != nil {
		_ = k.etcd.Stop(10 * time.Second)
	}
}

func kubeconfig(server, caFile, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster: {server: %q, certificate-authority: %q}
users:
  - name: admin
    user: {token: %q}
contexts:
  - name: test
    context: {cluster: test, user: admin}
current-context: test
`, server, caFile, token)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
