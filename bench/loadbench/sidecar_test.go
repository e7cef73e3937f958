// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"reflect"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// The sidecar floor unwraps container lines exactly as the shipped sidecar does: the same
// container operator; the shipped one only lets other lines (not from a container runtime)
// pass unchanged.
func TestSidecarFloorUsesShippedOperators(t *testing.T) {
	ops := func(path string) []any {
		conf, err := confmaptest.LoadConf(path)
		if err != nil {
			t.Fatal(err)
		}
		list, _ := conf.Get("receivers::filelog::operators").([]any)
		return list
	}
	shipped, floor := ops("../../configs/sidecar.yaml"), ops("../configs/sidecar-floor.yaml")
	if len(shipped) != 1 || len(floor) != 1 {
		t.Fatalf("one operator each expected:\n%v\n%v", shipped, floor)
	}
	container := map[string]any{}
	for k, v := range shipped[0].(map[string]any) {
		if k != "if" {
			container[k] = v
		}
	}
	if !reflect.DeepEqual(container, floor[0]) {
		t.Fatalf("bench/configs/sidecar-floor.yaml's container operator differs from configs/sidecar.yaml's:\n%v\n%v", floor[0], container)
	}
}

// The generated container log has the shape the sidecar's router expects (CRI), jobs of 12
// lines sharing an ID, 64 of them interleaved.
func TestContainerLogMix(t *testing.T) {
	ids := make([]string, 64)
	for i := range ids {
		ids[i] = "job-" + string(rune('a'+i%26))
	}
	first := containerLine(0, ids)
	if !strings.Contains(first, " stdout F {") {
		t.Fatalf("not a CRI line: %s", first)
	}
	if got := containerLine(64*11, ids); !strings.Contains(got, ids[0]) {
		t.Fatalf("line 12 of job 0 lost its ID: %s", got)
	}
	before := ids[0]
	_ = containerLine(64*12, ids)
	if ids[0] == before {
		t.Fatal("job 0's slot did not start a new job after 12 lines")
	}
}
