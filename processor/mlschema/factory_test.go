// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package mlschema

import (
	"testing"

	"github.com/otelcol-mlops/otelcol-mlops/internal/testutil"
)

func TestFactory(t *testing.T) {
	testutil.CheckLogsOnlyMutatingProcessor(t, NewFactory())
}
