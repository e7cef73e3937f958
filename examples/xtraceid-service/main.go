// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Command xtraceid-service is the smallest Go service that joins a legacy X-Trace-ID trace:
// it imports only the xtraceid propagator (and OpenTelemetry's API), and its go.mod shows
// what a service inherits from otelcol-mlops — a few lines, no collector.
//
//	curl -H 'X-Trace-ID: xyz-123' localhost:8080/jobs
//	→ trace 8b0df7f5… (the trace the trace_id_bridge processor gives xyz-123's log lines)
package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid"
)

func main() {
	// W3C traceparent first, then the legacy header; the caller is the legacy API.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, xtraceid.New(xtraceid.WithUpstreamService("azure-function-api"))))

	http.HandleFunc("/jobs", func(w http.ResponseWriter, r *http.Request) {
		ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		sc := trace.SpanContextFromContext(ctx)
		legacy, _ := xtraceid.LegacyID(ctx)
		_, _ = fmt.Fprintf(w, "trace %s parent %s legacy %q\n", sc.TraceID(), sc.SpanID(), legacy)
	})
	srv := &http.Server{Addr: "127.0.0.1:8080", ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
