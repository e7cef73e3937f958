module github.com/otelcol-mlops/otelcol-mlops/examples/xtraceid-service

go 1.25.0

require (
	github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid v0.0.0
	go.opentelemetry.io/otel v1.43.0
	go.opentelemetry.io/otel/trace v1.43.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid v0.0.0 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel/metric v1.43.0 // indirect
)

// Built from this repository; a service elsewhere requires released versions instead.
replace (
	github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid => ../../pkg/legacyid
	github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid => ../../propagation/xtraceid
)
