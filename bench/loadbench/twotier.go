// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otelcol-mlops/otelcol-mlops/internal/processes"
)

// runTwoTier measures both tiers at once: configs/sidecar.yaml (or each of agents, files
// taking its variables) tails the container log into configs/gateway.yaml, unmodified (or,
// with the shipped agent, each of gateways that is not an es-* floor), which indexes into the
// fast Elasticsearch sink; the CPU of both processes is summed per line indexed. It answers
// whether work moved between the tiers or left them.
func runTwoTier(root, bin string, s *sink, lines, rounds int, agents, gateways []string) error {
	dir, file, err := tempContainerLog("loadbench-twotier-", lines)
	defer func() { _ = os.RemoveAll(dir) }()
	if err != nil {
		return err
	}
	es, err := startESSink()
	if err != nil {
		return err
	}
	defer func() { _ = es.srv.Close() }()
	fmt.Printf("\nboth tiers (%d container-log lines: agent → gateway → Elasticsearch sink):\n", lines)
	names := append([]string{"shipped"}, agents...)
	for _, g := range gateways {
		if !strings.HasPrefix(filepath.Base(g), "es-") {
			names = append(names, gatewayVariant+g)
		}
	}
	type tiers struct{ agent, gateway, seconds float64 }
	all := map[string][]tiers{}
	for round := 1; round <= rounds; round++ {
		for _, name := range names {
			agent, gateway, seconds, err := runTwoTierConfig(root, bin, name, s, es, file, lines)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			perM := func(cpu float64) float64 { return cpu / float64(lines) * 1e6 }
			fmt.Printf("  round %d %-28s agent %6.2f + gateway %6.2f = %6.2f CPU-s/M lines  (%.0f lines/s)\n",
				round, name, perM(agent), perM(gateway), perM(agent+gateway), float64(lines)/seconds)
			all[name] = append(all[name], tiers{perM(agent), perM(gateway), seconds})
		}
	}
	fmt.Printf("\n| agent config | agent CPU-s / 1M lines | gateway CPU-s / 1M lines | both |\n|---|---|---|---|\n")
	for _, name := range names {
		rs := all[name]
		// the median round by the total
		best := rs[0]
		if len(rs) >= 3 {
			sorted := append([]tiers(nil), rs...)
			for i := range sorted {
				for j := i + 1; j < len(sorted); j++ {
					if sorted[j].agent+sorted[j].gateway < sorted[i].agent+sorted[i].gateway {
						sorted[i], sorted[j] = sorted[j], sorted[i]
					}
				}
			}
			best = sorted[len(sorted)/2]
		}
		fmt.Printf("| %s | %.2f | %.2f | %.2f |\n", name, best.agent, best.gateway, best.agent+best.gateway)
	}
	return nil
}

// gatewayVariant prefixes a two-tier variant that changes the gateway, not the agent.
const gatewayVariant = "gateway:"

func runTwoTierConfig(root, bin, name string, s *sink, es *esSink, file string, lines int) (agentCPU, gatewayCPU, seconds float64, err error) {
	state, err := os.MkdirTemp("", "loadbench-twotier-state-")
	if err != nil {
		return 0, 0, 0, err
	}
	defer func() { _ = os.RemoveAll(state) }()
	es.docs.Store(0)
	gatewayConfig, agentConfig := "", ""
	switch {
	case strings.HasPrefix(name, gatewayVariant):
		gatewayConfig = strings.TrimPrefix(name, gatewayVariant)
	case strings.Contains(name, ":"): // an -sidecar-extra entry agent.yaml:gateway.yaml
		agentConfig, gatewayConfig, _ = strings.Cut(name, ":")
	case strings.HasSuffix(name, ".yaml"):
		agentConfig = name
	}
	g, err := processes.StartGatewayConfig(root, bin, gatewayConfig, map[string]string{
		"ES_ENDPOINT": es.url, "JAEGER_OTLP_ENDPOINT": s.addr, "JAEGER_INSECURE": "true",
		"OTELCOL_MLOPS_DATA_DIR": filepath.Join(state, "gateway"),
	})
	if err != nil {
		return 0, 0, 0, err
	}
	defer g.Kill()
	env := map[string]string{
		"SIDECAR_LOG_PATHS": "[" + file + "]", "GATEWAY_ENDPOINTS": "[" + g.OTLPGRPC + "]", "GATEWAY_INSECURE": "true",
		"OTELCOL_MLOPS_DATA_DIR": filepath.Join(state, "agent"),
	}
	gw0 := procCPU(g.Pid())
	start := time.Now()
	sc, err := processes.StartSidecarConfig(root, bin, agentConfig, env)
	if err != nil {
		return 0, 0, 0, err
	}
	defer sc.Kill()
	deadline := time.Now().Add(5 * time.Minute)
	for es.docs.Load() < int64(lines) && time.Now().Before(deadline) && !sc.Exited() {
		time.Sleep(20 * time.Millisecond)
	}
	seconds = time.Since(start).Seconds()
	agentCPU, gatewayCPU = procCPU(sc.Pid()), procCPU(g.Pid())-gw0
	if n := es.docs.Load(); n < int64(lines) {
		return 0, 0, 0, fmt.Errorf("only %d of %d lines indexed\n%s", n, lines, g.Output())
	}
	_ = sc.Stop(10 * time.Second)
	_ = g.Stop(10 * time.Second)
	return agentCPU, gatewayCPU, seconds, nil
}
