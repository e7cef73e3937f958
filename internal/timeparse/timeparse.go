// Package timeparse reads the timestamps ML services write: ISO 8601 with or without a zone,
// Python logging's asctime (2006-01-02 15:04:05,000), and epoch seconds, milliseconds,
// microseconds or nanoseconds (told apart by magnitude).
package timeparse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Bounds of a plausible log timestamp; pdata holds nanoseconds in a uint64 until 2262.
var (
	earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z0700",
}

// Python's asctime uses a comma before the milliseconds; Go's parser accepts either separator
// wherever a fractional second follows.
var zonelessLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05,999999999",
	"2006-01-02 15:04:05,999999999",
}

// ErrUnparseable is returned for values that are no timestamp in any supported form.
var ErrUnparseable = errors.New("not a timestamp (ISO 8601, asctime or epoch)")

// String parses s. Timestamps without a zone are read in loc and reported with zoned=false.
func String(s string, loc *time.Location) (t time.Time, zoned bool, err error) {
	for _, layout := range zonedLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			return t, true, inRange(t)
		}
	}
	for _, layout := range zonelessLayouts {
		if t, err = time.ParseInLocation(layout, s, loc); err == nil {
			return t, false, inRange(t)
		}
	}
	if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
		t, err = Epoch(f)
		return t, true, err
	}
	return time.Time{}, false, ErrUnparseable
}

// Epoch reads a number of seconds, milliseconds, microseconds or nanoseconds since 1970.
func Epoch(n float64) (time.Time, error) {
	if math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
		return time.Time{}, fmt.Errorf("epoch %v is out of range", n)
	}
	var t time.Time
	switch {
	case n < 1e11:
		sec, frac := math.Modf(n)
		t = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	case n < 1e14:
		t = time.UnixMilli(int64(n)).UTC()
	case n < 1e17:
		t = time.UnixMicro(int64(n)).UTC()
	case n < 9.2e18:
		t = time.Unix(0, int64(n)).UTC()
	default:
		return time.Time{}, fmt.Errorf("epoch %v is out of range", n)
	}
	return t, inRange(t)
}

// Value parses a string or numeric pdata value, reading zone-less strings as UTC.
func Value(v pcommon.Value) (time.Time, bool, error) {
	return ValueIn(v, time.UTC)
}

// ValueIn parses a string or numeric pdata value, reading zone-less strings in loc.
func ValueIn(v pcommon.Value, loc *time.Location) (time.Time, bool, error) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return String(v.Str(), loc)
	case pcommon.ValueTypeInt:
		t, err := Epoch(float64(v.Int()))
		return t, true, err
	case pcommon.ValueTypeDouble:
		t, err := Epoch(v.Double())
		return t, true, err
	}
	return time.Time{}, false, ErrUnparseable
}

func inRange(t time.Time) error {
	if t.Before(earliest) || !t.Before(latest) {
		return fmt.Errorf("timestamp %s is out of range", t.Format(time.RFC3339))
	}
	return nil
}
