// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyid

import "testing"

var benchInputs = []struct{ rule, in string }{
	{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
	{"uuid", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"},
	{"hex128", "4bf92f3577b34da6a3ce929d0e0e4736"},
	{"hex64", "a3ce929d0e0e4736"},
	{"xray", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},
	{"cloud_trace", "105445aa7843bc8bf206b12000100000/1;o=1"},
	{"jaeger", "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"},
	{"b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"},
	{"hash", "req-8f4c2a91"},
	{"none", "NO_TRACE_ID"},
}

func BenchmarkMap(b *testing.B) {
	for _, bi := range benchInputs {
		b.Run(bi.rule, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Default.Map(bi.in)
			}
		})
	}
}

func BenchmarkDeriveSpanID(b *testing.B) {
	b.ReportAllocs()
	id := [16]byte{1, 2, 3}
	for b.Loop() {
		DeriveSpanID(id, "gpu-worker")
	}
}
