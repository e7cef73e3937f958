// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

// containerLine is line k of a CRI container log of the example stack's workloads: jobs of 12 lines
// sharing an X-Trace-ID (4 inference records, 4 asctime API JSON lines, 4 worker text
// lines), 64 jobs interleaved, as a node's pods write them.
func containerLine(k int, jobIDs []string) string {
	job := k % len(jobIDs)
	step := (k / len(jobIDs)) % 12
	if step == 0 && k >= len(jobIDs) {
		jobIDs[job] = uuid.NewString() // the job is done; its slot starts the next one
	}
	id := jobIDs[job]
	ts := time.Date(2026, 2, 27, 14, 32, 15, 0, time.UTC).Add(time.Duration(k) * time.Millisecond).Format("2006-01-02T15:04:05.000000000Z")
	var msg string
	switch step % 3 {
	case 0:
		msg = fmt.Sprintf(`{"timestamp": "2026-02-27T14:32:15.847Z", "request_id": "req-%d", "service": "recommendation-model-prod", "environment": "production", "log_level": "INFO", "event_type": "inference_complete", "trace_id": %q, "model_metadata": {"model_name": "collaborative_filtering_v3", "model_version": "3.2.1", "serving_variant": "prod"}, "request_context": {"user_id": "user_5f2c9e1a", "batch_size": 32}, "input_features": {"feature_count": 128, "cache_hit": true}, "inference_metrics": {"latency_ms": %d, "gpu_memory_mb": 324}, "output": {"confidence_scores": [0.94, 0.87, 0.76], "items_above_threshold": 3}}`, k, id, 60+k%80)
	case 1:
		msg = fmt.Sprintf(`{"timestamp": "2024-05-14 10:03:21,522", "level": "INFO", "message": "Publishing job for model 'resnet50' to Pub/Sub topic 'training-jobs'.", "trace_id": %q}`, id)
	default:
		msg = fmt.Sprintf(`2024-05-14 10:03:22,501 INFO [gpu-worker-7] X-Trace-ID=%s Starting processing for model: resnet50 step %d`, id, step)
	}
	return ts + " stdout F " + msg
}

func writeContainerLog(path string, lines int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	jobIDs := make([]string, 64)
	for i := range jobIDs {
		jobIDs[i] = uuid.NewString()
	}
	for k := range lines {
		_, _ = w.WriteString(containerLine(k, jobIDs))
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// tempContainerLog writes lines container-log lines into a file of a new temporary directory
// (prefix names it); the caller removes the directory ("" when it could not be made).
func tempContainerLog(prefix string, lines int) (dir, file string, err error) {
	if dir, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", err
	}
	file = filepath.Join(dir, "ml-worker_default_worker-0123.log")
	return dir, file, writeContainerLog(file, lines)
}

// runSidecar alternates configs/sidecar.yaml, unmodified (only its environment set: the log
// file, the sink as its one gateway, a fresh state directory; sidecar-no-queue also sets
// SIDECAR_PERSISTENT_QUEUE=false), with the filelog floor, each
// tailing the same container log from the beginning until the sink has every line.
//
// extra names further sidecar configuration files (paths), run with the shipped file's
// environment (a file named sidecar-floor*.yaml with the floor's): a way to measure a change
// before making it.
func runSidecar(root, bin string, s *sink, lines, rounds int, extra []string) error {
	dir, file, err := tempContainerLog("loadbench-sidecar-", lines)
	defer func() { _ = os.RemoveAll(dir) }()
	if err != nil {
		return err
	}
	fmt.Printf("\nsidecar path (%d CRI container-log lines: inference JSON, asctime API JSON, worker text; jobs of 12 lines, 64 interleaved):\n", lines)
	names := append([]string{"sidecar-floor", "sidecar-floor-json", "sidecar-shipped", "sidecar-no-queue"}, extra...)
	all := map[string][]result{}
	for round := 1; round <= rounds; round++ {
		for _, name := range names {
			r, err := runSidecarConfig(root, bin, name, s, file, lines)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Printf("  round %d %-20s %9.0f lines/s  %6.2f CPU-s/M  %6.0f MB peak RSS\n", round, name, r.perSecond(), r.cpuPerMillion(), r.peakRSSMB)
			all[name] = append(all[name], r)
		}
	}
	fmt.Printf("\n| sidecar config | lines/s | CPU s per 1M lines | peak RSS MB |\n|---|---|---|---|\n")
	med := map[string]result{}
	for _, name := range names {
		med[name] = median(all[name])
		fmt.Printf("| %s | %.0f | %.2f | %.0f |\n", name, med[name].perSecond(), med[name].cpuPerMillion(), med[name].peakRSSMB)
	}
	for _, name := range names[1:] {
		fmt.Printf("ratio %s/sidecar-floor: CPU per line %s, peak RSS %.2f\n", name,
			pairedCPURatio(all[name], all["sidecar-floor"]), med[name].peakRSSMB/med["sidecar-floor"].peakRSSMB)
	}
	fmt.Printf("GOAL agent: configs/sidecar.yaml at %s the container-only floor's CPU per line (goal <= 1.5x), peak RSS %.0f MB (goal <= 200 MB)\n",
		pairedCPURatio(all["sidecar-shipped"], all["sidecar-floor"]), med["sidecar-shipped"].peakRSSMB)
	return nil
}

func runSidecarConfig(root, bin, name string, s *sink, file string, lines int) (result, error) {
	state, err := os.MkdirTemp("", "loadbench-"+filepath.Base(name))
	if err != nil {
		return result{}, err
	}
	defer func() { _ = os.RemoveAll(state) }()
	s.reset()
	start := time.Now()
	var p *processes.Process
	if strings.HasPrefix(filepath.Base(name), "sidecar-floor") {
		config := filepath.Join(root, "bench", "configs", name+".yaml")
		if strings.HasSuffix(name, ".yaml") {
			config = name
		}
		p, err = processes.StartProcess(root, []string{"BENCH_LOG_FILE=" + file, "BENCH_SINK=" + s.addr}, bin, "--config", config)
	} else {
		env := map[string]string{
			"SIDECAR_LOG_PATHS": "[" + file + "]", "GATEWAY_ENDPOINTS": "[" + s.addr + "]", "GATEWAY_INSECURE": "true",
			"OTELCOL_MLOPS_DATA_DIR": state,
		}
		if name == "sidecar-no-queue" {
			env["SIDECAR_PERSISTENT_QUEUE"] = "false" // the documented knob
		}
		var sc *processes.Sidecar
		if strings.HasSuffix(name, ".yaml") {
			sc, err = processes.StartSidecarConfig(root, bin, name, env)
		} else {
			sc, err = processes.StartSidecar(root, bin, env)
		}
		if sc != nil {
			p = sc.Process
		}
	}
	if err != nil {
		return result{}, err
	}
	defer p.Kill()
	waitForSink(s, lines, p)
	r := result{config: name, records: s.logRecords.Load(), seconds: time.Since(start).Seconds(), cpuSeconds: procCPU(p.Pid()), peakRSSMB: procPeakRSSMB(p.Pid())}
	_ = p.Stop(10 * time.Second)
	if r.records < int64(lines) {
		return r, fmt.Errorf("only %d of %d lines arrived\n%s", r.records, lines, p.Output())
	}
	return r, nil
}
