// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"reflect"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// The sidecar floor reads container logs exactly as the shipped sidecar does: the same
// filelog operators.
func TestSidecarFloorUsesShippedOperators(t *testing.T) {
	ops := func(path string) any {
		conf, err := confmaptest.LoadConf(path)
		if err != nil {
			t.Fatal(err)
		}
		return conf.Get("receivers::filelog::operators")
	}
	shipped, floor := ops("../../configs/sidecar.yaml"), ops("../configs/sidecar-floor.yaml")
	if shipped == nil || !reflect.DeepEqual(shipped, floor) {
		t.Fatalf("bench/configs/sidecar-floor.yaml's operators differ from configs/sidecar.yaml's:\n%v\n%v", floor, shipped)
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
