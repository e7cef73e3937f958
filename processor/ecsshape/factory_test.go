// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package ecsshape

import (
	"testing"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestFactory(t *testing.T) {
	testutil.CheckLogsOnlyMutatingProcessor(t, NewFactory())
}
