package connector_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcol-mlops/otelcol-mlops/connector/legacyspans"
	"github.com/otelcol-mlops/otelcol-mlops/connector/mlmetrics"
)

// What the collector may do to a connector: shut it down without starting it (another
// component failed to start), shut it down twice, or with a deadline already passed.
func TestConnectorLifecycles(t *testing.T) {
	connectors := map[string]func() (component.Component, error){
		"legacy_spans": func() (component.Component, error) {
			f := legacyspans.NewFactory()
			return f.CreateLogsToTraces(context.Background(), connectortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), consumertest.NewNop())
		},
		"ml_metrics": func() (component.Component, error) {
			f := mlmetrics.NewFactory()
			return f.CreateLogsToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), consumertest.NewNop())
		},
	}
	for name, create := range connectors {
		t.Run(name+"/shutdown without start", func(t *testing.T) {
			c, err := create()
			require.NoError(t, err)
			assert.NoError(t, c.Shutdown(context.Background()))
		})
		t.Run(name+"/start, shutdown twice", func(t *testing.T) {
			c, err := create()
			require.NoError(t, err)
			require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
			assert.NoError(t, c.Shutdown(context.Background()))
			assert.NoError(t, c.Shutdown(context.Background()))
		})
		t.Run(name+"/shutdown past its deadline", func(t *testing.T) {
			c, err := create()
			require.NoError(t, err)
			require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_ = c.Shutdown(ctx) // may report the deadline; must return
		})
	}
}
