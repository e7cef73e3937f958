// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import "testing"

func roundOf(records int64, cpuSeconds float64) result {
	return result{records: records, seconds: 10, cpuSeconds: cpuSeconds}
}

// A machine that slows down between rounds moves a configuration and its floor together: the
// ratio reported is the rounds' own, not one of medians taken from different rounds.
func TestPairedCPURatioFollowsEachRound(t *testing.T) {
	floor := []result{roundOf(2e6, 12), roundOf(1e6, 8), roundOf(1.5e6, 10.5)}   // 6, 8, 7 CPU-s/M
	config := []result{roundOf(5e5, 12), roundOf(6e5, 19.2), roundOf(4e5, 11.2)} // 24, 32, 28 CPU-s/M
	got := pairedCPURatio(config, floor)
	if got.median != 4 || got.low != 4 || got.high != 4 {
		t.Fatalf("ratio = %+v, want 4 in every round", got)
	}
	if s := got.String(); s != "4.00x" {
		t.Fatalf("String() = %q", s)
	}
	// Medians taken by throughput mix rounds: 24/7 here.
	if m := median(config).cpuPerMillion() / median(floor).cpuPerMillion(); m == 4 {
		t.Fatalf("unpaired medians gave %v: the fixture does not tell the two apart", m)
	}
}

func TestPairedCPURatioReportsTheRange(t *testing.T) {
	floor := []result{roundOf(1e6, 10), roundOf(1e6, 10), roundOf(1e6, 10)}
	config := []result{roundOf(1e6, 30), roundOf(1e6, 50), roundOf(1e6, 40)}
	got := pairedCPURatio(config, floor)
	if got.median != 4 || got.low != 3 || got.high != 5 {
		t.Fatalf("ratio = %+v, want median 4 of 3..5", got)
	}
	if s := got.String(); s != "4.00x (rounds 3.00–5.00)" {
		t.Fatalf("String() = %q", s)
	}
	if got := pairedCPURatio(config, []result{{}}); got != (cpuRatio{}) {
		t.Fatalf("a floor without records gave %+v", got)
	}
}
