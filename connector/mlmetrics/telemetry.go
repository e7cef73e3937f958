package mlmetrics

import (
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-mlops/otelcol-mlops/connector/mlmetrics/internal/metadata"
)

// newTelemetry returns the connector's own metrics, declared in metadata.yaml.
func newTelemetry(set component.TelemetrySettings) (*metadata.TelemetryBuilder, error) {
	return metadata.NewTelemetryBuilder(set)
}
