// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Command loadbench is the load benchmark: it starts the otelcol-mlops binary with a given
// configuration, sends it realistic records over OTLP/gRPC on loopback as fast as they are
// accepted, for a fixed duration, into its own OTLP sink, and reports accepted records/s, CPU
// seconds per million records, peak RSS and p99 end-to-end latency. Configurations are run in
// alternation, in the same run, so their ratios hold on a noisy machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

type result struct {
	config        string
	records       int64
	seconds       float64
	cpuSeconds    float64
	peakRSSMB     float64
	p50LatencyMS  float64
	p99LatencyMS  float64
	sinkedRecords int64
}

func (r result) perSecond() float64 { return float64(r.records) / r.seconds }
func (r result) cpuPerMillion() float64 {
	if r.records == 0 {
		return 0
	}
	return r.cpuSeconds / float64(r.records) * 1e6
}

func main() {
	duration := flag.Duration("duration", 10*time.Second, "load per configuration per round")
	rounds := flag.Int("rounds", 2, "rounds; configurations alternate within each")
	configs := flag.String("configs", "noop,sidecar,gateway,ottl", "bench/configs to compare over OTLP (\"\": none)")
	filelogLines := flag.Int("filelog-lines", 200000, "lines for the filelog comparison (0: skip)")
	senders := flag.Int("senders", 4, "concurrent OTLP clients")
	gateway := flag.Bool("gateway", true, "compare configs/gateway.yaml, unmodified, with its Elasticsearch floors")
	sidecarLines := flag.Int("sidecar-lines", 150000, "container-log lines configs/sidecar.yaml, unmodified, and its filelog floor tail (0: skip)")
	gatewayExtra := flag.String("gateway-extra", "", "comma-separated gateway configuration files measured beside the shipped one, with its environment (es-*.yaml: as floors)")
	twoTierLines := flag.Int("two-tier-lines", 0, "container-log lines through configs/sidecar.yaml (and each -sidecar-extra file) into configs/gateway.yaml (and each -gateway-extra file; a -sidecar-extra entry agent.yaml:gateway.yaml pairs both), both measured (0: skip)")
	sidecarExtra := flag.String("sidecar-extra", "", "comma-separated sidecar configuration files measured beside the shipped one, with its environment")
	flag.Parse()
	var cfgs []string
	if *configs != "" {
		cfgs = strings.Split(*configs, ",")
	}
	if err := run(*duration, *rounds, cfgs, *filelogLines, *senders, *gateway, splitList(*gatewayExtra), *sidecarLines, splitList(*sidecarExtra), *twoTierLines); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, rounds int, configs []string, filelogLines, senders int, gateway bool, gatewayExtra []string, sidecarLines int, sidecarExtra []string, twoTierLines int) error {
	root, err := processes.RepoRoot()
	if err != nil {
		return err
	}
	bin := filepath.Join(root, "bin", "otelcol-mlops")
	s, err := startSink()
	if err != nil {
		return err
	}
	defer s.stop()
	fmt.Printf("loadbench: %d round(s) × %s per configuration, %d senders, batches of %d records, loopback only\n", rounds, duration, senders, batchSize)
	all := map[string][]result{}
	for round := 1; round <= rounds && len(configs) > 0; round++ {
		for _, cfg := range configs {
			r, err := runOTLP(root, bin, cfg, s, duration, senders)
			if err != nil {
				return fmt.Errorf("%s: %w", cfg, err)
			}
			fmt.Printf("  round %d %-8s %9.0f records/s  %6.2f CPU-s/M  %6.0f MB peak RSS  p99 %7.1f ms  (sink got %d)\n",
				round, cfg, r.perSecond(), r.cpuPerMillion(), r.peakRSSMB, r.p99LatencyMS, r.sinkedRecords)
			all[cfg] = append(all[cfg], r)
		}
	}
	med := map[string]result{}
	if len(configs) > 0 {
		printOTLPTable(configs, all, med)
	}
	ratio := func(a, b string) {
		if _, ok := med[a]; !ok {
			return
		}
		if _, ok := med[b]; !ok {
			return
		}
		fmt.Printf("ratio %s/%s: throughput %.2f, CPU per record %s\n", a, b, med[a].perSecond()/med[b].perSecond(), pairedCPURatio(all[a], all[b]))
	}
	fmt.Println()
	ratio("sidecar", "noop")
	ratio("gateway", "noop")
	ratio("sidecar", "ottl")
	if sidecarLines > 0 {
		if err := runSidecar(root, bin, s, sidecarLines, rounds, sidecarExtra); err != nil {
			return err
		}
	}
	if twoTierLines > 0 {
		if err := runTwoTier(root, bin, s, twoTierLines, rounds, sidecarExtra, gatewayExtra); err != nil {
			return err
		}
	}
	if gateway {
		if err := runGateway(root, bin, s, duration, rounds, senders, gatewayExtra); err != nil {
			return err
		}
	}
	if filelogLines > 0 {
		fmt.Printf("\nfilelog path (%d JSON lines read from a file, parsed, shipped):\n", filelogLines)
		for _, cfg := range []string{"filelog-plain", "filelog-ours"} {
			r, err := runFilelog(root, bin, cfg, s, filelogLines)
			if err != nil {
				return fmt.Errorf("%s: %w", cfg, err)
			}
			fmt.Printf("  %-14s %9.0f records/s  %6.2f CPU-s/M  %6.0f MB peak RSS\n", cfg, r.perSecond(), r.cpuPerMillion(), r.peakRSSMB)
		}
	}
	return nil
}

func printOTLPTable(configs []string, all map[string][]result, med map[string]result) {
	fmt.Printf("\n| config | records/s | records/s per CPU core | CPU s per 1M records | peak RSS MB | p99 latency ms |\n|---|---|---|---|---|---|\n")
	for _, cfg := range configs {
		m := median(all[cfg])
		med[cfg] = m
		fmt.Printf("| %s | %.0f | %.0f | %.2f | %.0f | %.1f |\n", cfg, m.perSecond(), 1e6/m.cpuPerMillion(), m.cpuPerMillion(), m.peakRSSMB, m.p99LatencyMS)
	}
}

// cpuRatio is the CPU per record of one configuration over another's, round by round: the two
// ran back to back in each round, so a machine that is slower in one round than in another
// (these are shared virtual machines) moves both and not their ratio. It returns the median
// of the rounds' ratios and their range.
type cpuRatio struct{ median, low, high float64 }

func pairedCPURatio(num, den []result) cpuRatio {
	var ratios []float64
	for i := range min(len(num), len(den)) {
		if d := den[i].cpuPerMillion(); d > 0 {
			ratios = append(ratios, num[i].cpuPerMillion()/d)
		}
	}
	if len(ratios) == 0 {
		return cpuRatio{}
	}
	sort.Float64s(ratios)
	return cpuRatio{median: ratios[len(ratios)/2], low: ratios[0], high: ratios[len(ratios)-1]}
}

func (r cpuRatio) String() string {
	if r.low == r.high {
		return fmt.Sprintf("%.2fx", r.median)
	}
	return fmt.Sprintf("%.2fx (rounds %.2f–%.2f)", r.median, r.low, r.high)
}

func median(rs []result) result {
	sorted := append([]result(nil), rs...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].perSecond() < sorted[b].perSecond() })
	return sorted[len(sorted)/2]
}

func runOTLP(root, bin, cfg string, s *sink, duration time.Duration, senders int) (result, error) {
	in, err := processes.FreeAddr()
	if err != nil {
		return result{}, err
	}
	dataDir, err := os.MkdirTemp("", "loadbench-"+cfg)
	if err != nil {
		return result{}, err
	}
	defer func() { _ = os.RemoveAll(dataDir) }()
	p, err := processes.StartProcess(root, []string{"BENCH_OTLP_IN=" + in, "BENCH_SINK=" + s.addr, "BENCH_DATA_DIR=" + dataDir}, bin,
		"--config", filepath.Join(root, "bench", "configs", cfg+".yaml"))
	if err != nil {
		return result{}, err
	}
	defer p.Kill()
	if err := p.WaitTCP(in, 30*time.Second); err != nil {
		return result{}, fmt.Errorf("%w\n%s", err, p.Output())
	}
	s.reset()
	cpu0 := procCPU(p.Pid())
	accepted, elapsed, _ := load(in, duration, senders)
	s.waitQuiet(2 * time.Second)
	r := result{config: cfg, records: accepted, seconds: elapsed.Seconds(), cpuSeconds: procCPU(p.Pid()) - cpu0,
		peakRSSMB: procPeakRSSMB(p.Pid()), p99LatencyMS: s.p99(), sinkedRecords: s.logRecords.Load()}
	_ = p.Stop(10 * time.Second)
	return r, nil
}

// load runs senders concurrent OTLP clients against addr for duration and returns how many
// log records were accepted, and how long that took.
// load runs senders concurrent OTLP clients for duration. It returns the log records
// accepted, the time taken, and the round trip of every accepted log export: how long a
// sender waited for its answer.
func load(addr string, duration time.Duration, senders int) (int64, time.Duration, []time.Duration) {
	var accepted atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	trips := make([][]time.Duration, senders)
	for i := range senders {
		wg.Go(func() { trips[i] = send(ctx, addr, i, &accepted) })
	}
	wg.Wait()
	var all []time.Duration
	for _, t := range trips {
		all = append(all, t...)
	}
	return accepted.Load(), time.Since(start), all
}

// percentile of round trips (sorted in place), in milliseconds; 0 without any.
func percentile(trips []time.Duration, p float64) float64 {
	if len(trips) == 0 {
		return 0
	}
	slices.Sort(trips)
	return float64(trips[int(float64(len(trips)-1)*p)].Microseconds()) / 1000
}

// waitForSink waits until the sink has lines log records, or p exits, or minutes pass.
func waitForSink(s *sink, lines int, p *processes.Process) {
	deadline := time.Now().Add(5 * time.Minute)
	for s.logRecords.Load() < int64(lines) && time.Now().Before(deadline) && !p.Exited() {
		time.Sleep(20 * time.Millisecond)
	}
}

// send exports pre-built batches until ctx ends; every tenth export is a batch of spans. It
// returns the round trip of each accepted log export.
func send(ctx context.Context, addr string, seed int, accepted *atomic.Int64) []time.Duration {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil
	}
	defer func() { _ = conn.Close() }()
	logs := plogotlp.NewGRPCClient(conn)
	traces := ptraceotlp.NewGRPCClient(conn)
	ld := logBatch(seed)
	td := spanBatch(seed)
	var trips []time.Duration
	for n := 0; ctx.Err() == nil; n++ {
		if n%10 == 9 {
			stamp(td.ResourceSpans().At(0).Resource().Attributes())
			_, _ = traces.Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
			continue
		}
		stamp(ld.ResourceLogs().At(0).Resource().Attributes())
		sent := time.Now()
		if _, err := logs.Export(ctx, plogotlp.NewExportRequestFromLogs(ld)); err == nil {
			trips = append(trips, time.Since(sent))
			accepted.Add(int64(ld.LogRecordCount()))
		}
	}
	return trips
}

func procCPU(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // USER_HZ
}

func procPeakRSSMB(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func runFilelog(root, bin, cfg string, s *sink, lines int) (result, error) {
	dir, err := os.MkdirTemp("", "loadbench-filelog-")
	if err != nil {
		return result{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	file := filepath.Join(dir, "app.log")
	if err := writeLogFile(file, lines); err != nil {
		return result{}, err
	}
	s.reset()
	start := time.Now()
	p, err := processes.StartProcess(root, []string{"BENCH_LOG_FILE=" + file, "BENCH_SINK=" + s.addr}, bin,
		"--config", filepath.Join(root, "bench", "configs", cfg+".yaml"))
	if err != nil {
		return result{}, err
	}
	defer p.Kill()
	waitForSink(s, lines, p)
	elapsed := time.Since(start)
	r := result{config: cfg, records: s.logRecords.Load(), seconds: elapsed.Seconds(), cpuSeconds: procCPU(p.Pid()), peakRSSMB: procPeakRSSMB(p.Pid())}
	_ = p.Stop(10 * time.Second)
	if r.records < int64(lines) {
		return r, fmt.Errorf("only %d of %d lines arrived\n%s", r.records, lines, p.Output())
	}
	return r, nil
}

// splitList reads a comma-separated flag; "" is no items.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
