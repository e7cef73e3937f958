module github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid

go 1.25.0
