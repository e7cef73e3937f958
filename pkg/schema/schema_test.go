// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

type mapRecord struct{ m pcommon.Map }

func (r mapRecord) Get(path string) (pcommon.Value, bool) { return r.m.Get(path) }

func TestDefaultSchemaIsValid(t *testing.T) {
	s := Default()
	require.NoError(t, s.Validate())
	c, err := Compile(s)
	require.NoError(t, err)
	for _, v := range []string{"inference_complete", "training_epoch_end", "training_batch_sample", "training_step"} {
		_, ok := c.EventType(v)
		assert.True(t, ok, v)
	}
	_, ok := c.EventType("cache_warmup")
	assert.False(t, ok)
}

func TestVersionedFields(t *testing.T) {
	s := Schema{Version: "2.1", EventTypes: []EventType{{
		Name: "e", Kind: KindOther, Values: []string{"e"},
		Fields: []Field{
			{Path: "new", Type: TypeInt, Required: true, Since: "2.1"},
			{Path: "old", Type: TypeInt, Required: true, Until: "1.9"},
		},
	}}}
	c, err := Compile(s)
	require.NoError(t, err)
	et, _ := c.EventType("e")
	check := func(version string) []Violation {
		m := pcommon.NewMap()
		if version != "" {
			m.PutStr(FieldSchemaVersion, version)
		}
		return c.Validate(mapRecord{m}, et, nil)
	}
	assert.Equal(t, []Violation{{"new", "required field is missing"}}, check(""), "default version 2.1")
	assert.Equal(t, []Violation{{"new", "required field is missing"}}, check("2.3"))
	assert.Empty(t, check("2.0"))
	assert.Equal(t, []Violation{{"old", "required field is missing"}}, check("1.2"))
	v := check("two")
	require.Len(t, v, 2)
	assert.Equal(t, FieldSchemaVersion, v[0].Field)
}

func TestNumericConversionAndRanges(t *testing.T) {
	c, err := Compile(Default())
	require.NoError(t, err)
	et, _ := c.EventType("training_batch_sample")
	m := pcommon.NewMap()
	m.PutStr(FieldTimestamp, "2026-02-27T03:11:05Z")
	m.PutStr(FieldEventType, "training_batch_sample")
	m.PutStr(FieldExperimentID, "exp")
	m.PutStr("batch_idx", "300")
	m.PutStr(FieldLoss, "-0.5")
	m.PutDouble("batch_size", 2.5)
	got := c.Validate(mapRecord{m}, et, nil)
	assert.Equal(t, []Violation{
		{FieldLoss, "-0.5 is below the minimum 0"},
		{"batch_size", "expected int, got 2.5"},
	}, got)
	idx, _ := m.Get("batch_idx")
	assert.Equal(t, pcommon.ValueTypeInt, idx.Type(), "numeric strings become numbers")
}

func TestMergeReplacesByName(t *testing.T) {
	merged := Merge(Default(), Schema{EventTypes: []EventType{{Name: "inference", Kind: KindInference, Values: []string{"predict"}}}})
	c, err := Compile(merged)
	require.NoError(t, err)
	_, old := c.EventType("inference_complete")
	assert.False(t, old)
	et, ok := c.EventType("predict")
	require.True(t, ok)
	assert.Equal(t, KindInference, et.Kind)
}

func TestSchemaValidateRejectsDuplicates(t *testing.T) {
	s := Merge(Default(), Schema{EventTypes: []EventType{{Name: "mine", Kind: KindOther, Values: []string{"training_step"}}}})
	err := s.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"training_step" is also claimed by training_step`)
}
