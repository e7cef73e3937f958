// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Prometheus is a real Prometheus server (Debian's package) scraping collectors with the
// shipped deploy/prometheus configuration: its rules, its jobs, exemplar storage on.
type Prometheus struct {
	*Process
	URL string
}

// ErrNoPrometheus means the prometheus binary is not installed (apt-get install prometheus).
var ErrNoPrometheus = errors.New("prometheus is not installed: apt-get install -y prometheus (.ci/run does)")

// StartPrometheus starts Prometheus with deploy/prometheus/prometheus.yml, its Kubernetes
// service discovery replaced by static targets (job name → host:port list), scraping and
// evaluating rules every second.
func StartPrometheus(root, dataDir string, targets map[string][]string) (*Prometheus, error) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		return nil, ErrNoPrometheus
	}
	cfgPath, err := localPrometheusConfig(root, dataDir, targets)
	if err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	p, err := StartProcess(dataDir, nil, bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dataDir, "tsdb"),
		"--web.listen-address="+addr, "--enable-feature=exemplar-storage")
	if err != nil {
		return nil, err
	}
	prom := &Prometheus{Process: p, URL: "http://" + addr}
	if err := p.WaitHTTP(prom.URL+"/-/ready", 60*time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("prometheus: %w\n%s", err, p.Output())
	}
	return prom, nil
}

func localPrometheusConfig(root, dataDir string, targets map[string][]string) (string, error) {
	shipped := filepath.Join(root, "deploy", "prometheus")
	raw, err := os.ReadFile(filepath.Join(shipped, "prometheus.yml"))
	if err != nil {
		return "", err
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		return "", err
	}
	cfg["global"] = map[string]any{"scrape_interval": "1s", "evaluation_interval": "1s"}
	var rules []any
	for _, r := range cfg["rule_files"].([]any) {
		rules = append(rules, filepath.Join(shipped, r.(string)))
	}
	cfg["rule_files"] = rules
	for _, sc := range cfg["scrape_configs"].([]any) {
		job := sc.(map[string]any)
		name := job["job_name"].(string)
		target, ok := targets[name]
		if !ok {
			return "", fmt.Errorf("no target for the shipped job %s", name)
		}
		delete(job, "kubernetes_sd_configs")
		delete(job, "relabel_configs")
		job["static_configs"] = []any{map[string]any{"targets": target}}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dataDir, "prometheus.yml")
	return path, os.WriteFile(path, out, 0o600)
}

// Sample is one series of an instant query's result.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query runs an instant PromQL query.
func (p *Prometheus) Query(expr string) ([]Sample, error) {
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := p.get("/api/v1/query?query="+url.QueryEscape(expr), &body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, body.Error)
	}
	out := make([]Sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		v, err := strconv.ParseFloat(fmt.Sprint(r.Value[1]), 64)
		if err != nil {
			return nil, err
		}
		out = append(out, Sample{Labels: r.Metric, Value: v})
	}
	return out, nil
}

// Exemplar is one stored exemplar.
type Exemplar struct {
	SeriesLabels map[string]string
	Labels       map[string]string
	Value        float64
}

// Exemplars returns the exemplars of the series expr selects over the last window.
func (p *Prometheus) Exemplars(expr string, window time.Duration) ([]Exemplar, error) {
	now := time.Now()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels map[string]string `json:"labels"`
				Value  string            `json:"value"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	q := fmt.Sprintf("/api/v1/query_exemplars?query=%s&start=%d&end=%d", url.QueryEscape(expr), now.Add(-window).Unix(), now.Add(time.Minute).Unix())
	if err := p.get(q, &body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("exemplars %s: %s", expr, body.Error)
	}
	var out []Exemplar
	for _, s := range body.Data {
		for _, e := range s.Exemplars {
			v, _ := strconv.ParseFloat(e.Value, 64)
			out = append(out, Exemplar{SeriesLabels: s.SeriesLabels, Labels: e.Labels, Value: v})
		}
	}
	return out, nil
}

func (p *Prometheus) get(path string, into any) error {
	resp, err := http.Get(p.URL + path) //nolint:gosec // loopback
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	return json.NewDecoder(resp.Body).Decode(into)
}

// HostPort is the host:port of a collector's http://host:port/metrics URL.
func HostPort(metricsURL string) string {
	return strings.TrimSuffix(strings.TrimPrefix(metricsURL, "http://"), "/metrics")
}
