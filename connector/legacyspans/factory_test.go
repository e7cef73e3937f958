// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyspans

import (
	"testing"

	"go.opentelemetry.io/collector/pipeline"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestFactory(t *testing.T) {
	testutil.CheckLogsConnector(t, NewFactory(), pipeline.SignalTraces)
}
