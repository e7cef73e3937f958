// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

// esSink is the fast Elasticsearch at the end of the gateway benchmark: it answers the
// product check and every _bulk item with 201, and counts documents. It parses nothing (the
// stand-in's mapping checks would be what is measured otherwise).
type esSink struct {
	srv  *http.Server
	url  string
	docs atomic.Int64
}

func startESSink() (*esSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &esSink{url: "http://" + l.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

var itemPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *esSink) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		_, _ = io.WriteString(w, `{"version":{"number":"8.19.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		defer func() { _ = gz.Close() }()
		body = gz
	}
	lines := 0
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		lines++
	}
	n := lines / 2
	buf := itemPool.Get().(*bytes.Buffer)
	defer itemPool.Put(buf)
	buf.Reset()
	buf.WriteString(`{"took":1,"errors":false,"items":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"create":{"_index":"logs","status":201}}`)
	}
	buf.WriteString("]}")
	_, _ = w.Write(buf.Bytes())
	s.docs.Add(int64(n))
}

// runGateway alternates the shipped configs/gateway.yaml, unmodified (only its environment
// set), with the floor (bench/configs/es-floor.yaml: OTLP → the same elasticsearch exporter)
// and the structured floor (the same plus upstream JSON parsing into the document), and reports CPU per million records until every accepted record reached Elasticsearch.
//
// extra names further gateway configuration files (paths): those named es-*.yaml run as
// floors (with the floors' variables), the others with the shipped file's environment.
func runGateway(root, bin string, s *sink, duration time.Duration, rounds, senders int, extra []string) error {
	es, err := startESSink()
	if err != nil {
		return err
	}
	defer func() { _ = es.srv.Close() }()
	fmt.Printf("\ngateway path (configs/gateway.yaml unmodified vs the es-floor; Jaeger and Elasticsearch are fast sinks):\n")
	all := map[string][]result{}
	names := append([]string{"es-floor", "es-structured-floor", "gateway-shipped"}, extra...)
	for round := 1; round <= rounds; round++ {
		for _, name := range names {
			r, err := runGatewayConfig(root, bin, name, s, es, duration, senders)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Printf("  round %d %-20s %9.0f records/s  %6.2f CPU-s/M  %6.0f MB peak RSS  export p50 %.1f ms p99 %.1f ms  (indexed %d of %d)\n",
				round, name, r.perSecond(), r.cpuPerMillion(), r.peakRSSMB, r.p50LatencyMS, r.p99LatencyMS, r.sinkedRecords, r.records)
			all[name] = append(all[name], r)
		}
	}
	fmt.Printf("\n%d senders\n| gateway config | records/s | CPU s per 1M records | peak RSS MB | export p50 ms | export p99 ms |\n|---|---|---|---|---|---|\n", senders)
	med := map[string]result{}
	for _, name := range names {
		med[name] = median(all[name])
		fmt.Printf("| %s | %.0f | %.2f | %.0f | %.1f | %.1f |\n", name, med[name].perSecond(), med[name].cpuPerMillion(), med[name].peakRSSMB, med[name].p50LatencyMS, med[name].p99LatencyMS)
	}
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), "es-") {
			continue
		}
		for _, floor := range names {
			if !strings.HasPrefix(filepath.Base(floor), "es-") {
				continue
			}
			fmt.Printf("ratio %s/%s: CPU per record %s, peak RSS %.2f\n", name, floor,
				pairedCPURatio(all[name], all[floor]), med[name].peakRSSMB/med[floor].peakRSSMB)
		}
	}
	fmt.Printf("GOAL gateway: configs/gateway.yaml at %s the CPU per record of OTLP -> its Elasticsearch exporter block alone (goal <= 2x)\n",
		pairedCPURatio(all["gateway-shipped"], all["es-floor"]))
	return nil
}

func runGatewayConfig(root, bin, name string, s *sink, es *esSink, duration time.Duration, senders int) (result, error) {
	dataDir, err := os.MkdirTemp("", "loadbench-"+filepath.Base(name))
	if err != nil {
		return result{}, err
	}
	defer func() { _ = os.RemoveAll(dataDir) }()
	var p *processes.Process
	var in string
	if strings.HasPrefix(filepath.Base(name), "es-") {
		if in, err = processes.FreeAddr(); err != nil {
			return result{}, err
		}
		config := filepath.Join(root, "bench", "configs", name+".yaml")
		if strings.HasSuffix(name, ".yaml") {
			config = name
		}
		p, err = processes.StartProcess(root, []string{"BENCH_OTLP_IN=" + in, "BENCH_SINK=" + s.addr, "BENCH_ES=" + es.url, "BENCH_DATA_DIR=" + dataDir}, bin,
			"--config", config)
		if err == nil {
			err = p.WaitTCP(in, 30*time.Second)
		}
	} else {
		var g *processes.Gateway
		env := map[string]string{
			"ES_ENDPOINT": es.url, "JAEGER_OTLP_ENDPOINT": s.addr, "JAEGER_INSECURE": "true",
			"OTELCOL_MLOPS_DATA_DIR": dataDir,
		}
		if strings.HasSuffix(name, ".yaml") {
			g, err = processes.StartGatewayConfig(root, bin, name, env)
		} else {
			g, err = processes.StartGateway(root, bin, env)
		}
		if g != nil {
			p, in = g.Process, g.OTLPGRPC
		}
	}
	if err != nil {
		return result{}, err
	}
	defer p.Kill()
	es.docs.Store(0)
	cpu0 := procCPU(p.Pid())
	start := time.Now()
	accepted, _, trips := load(in, duration, senders)
	deadline := time.Now().Add(2 * time.Minute)
	for es.docs.Load() < accepted && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	r := result{config: name, records: accepted, seconds: elapsed.Seconds(), cpuSeconds: procCPU(p.Pid()) - cpu0,
		peakRSSMB: procPeakRSSMB(p.Pid()), sinkedRecords: es.docs.Load(), p50LatencyMS: percentile(trips, 0.5), p99LatencyMS: percentile(trips, 0.99)}
	_ = p.Stop(10 * time.Second)
	if r.sinkedRecords < r.records {
		return r, fmt.Errorf("only %d of %d accepted records reached Elasticsearch\n%s", r.sinkedRecords, r.records, p.Output())
	}
	return r, nil
}
