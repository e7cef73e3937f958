module github.com/otelcol-mlops/otelcol-mlops/propagation/xtraceid

go 1.25.0

require (
	github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid v0.0.0
	github.com/stretchr/testify v1.11.1
	go.opentelemetry.io/otel v1.43.0
	go.opentelemetry.io/otel/trace v1.43.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// Inside this repository; a service outside it requires a tagged version instead.
replace github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid => ../../pkg/legacyid
