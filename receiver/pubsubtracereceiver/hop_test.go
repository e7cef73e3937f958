// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestHopOwnersAreBounded(t *testing.T) {
	h := newHopOwners(2)
	a, b, c := pcommon.TraceID{1}, pcommon.TraceID{2}, pcommon.TraceID{3}
	assert.True(t, h.claim(a, "m1"))
	assert.True(t, h.claim(a, "m1"), "redelivery of the owner")
	assert.False(t, h.claim(a, "m2"), "a second message of the trace")
	assert.True(t, h.claim(b, "m3"))
	assert.True(t, h.claim(c, "m4"), "evicts a, the oldest")
	assert.Len(t, h.owner, 2)
	assert.True(t, h.claim(a, "m2"), "a forgotten trace is claimed anew")
	assert.False(t, h.claim(c, "m5"))
}
