// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

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
	if t, zoned, ok := iso(s, loc); ok {
		return t, zoned, inRange(t)
	}
	return byLayout(s, loc)
}

// byLayout is the general reader: every layout in turn, then epoch numbers. It is slow (each
// failed layout costs an error) and only sees what iso declines.
func byLayout(s string, loc *time.Location) (t time.Time, zoned bool, err error) {
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

// iso reads the shapes nearly every record has, "2006-01-02T15:04:05[.frac][zone]" with 'T' or
// ' ' between date and time, '.' or ',' before up to nine fraction digits, and a zone of "Z",
// "±07:00", "±0700" or none, without time.Parse's layout matching. It accepts only what the
// layouts accept and reads it identically (FuzzISOMatchesLayouts); anything else is
// declined (ok=false) and left to byLayout.
func iso(s string, loc *time.Location) (t time.Time, zoned, ok bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false, false
		}
		frac, _ := digits(rest[1:n])
		for i := n; i <= 9; i++ {
			frac *= 10
		}
		nsec, rest = frac, rest[n:]
	}
	switch rest {
	case "":
		return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), false, true
	case "Z":
		return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true, true
	}
	offset, ok := zoneOffset(rest)
	if !ok {
		return time.Time{}, false, false
	}
	utc := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return utc.Add(-time.Duration(offset) * time.Second), true, true
}

// zoneOffset reads "±07:00" or "±0700" as seconds east of UTC.
func zoneOffset(z string) (int, bool) {
	if len(z) != 5 && len(z) != 6 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	hh, mm := z[1:3], z[3:5]
	if len(z) == 6 {
		if z[3] != ':' {
			return 0, false
		}
		mm = z[4:6]
	}
	h, ok1 := digits(hh)
	m, ok2 := digits(mm)
	if !ok1 || !ok2 || h > 24 || m > 59 {
		return 0, false
	}
	offset := h*3600 + m*60
	if z[0] == '-' {
		offset = -offset
	}
	return offset, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

var daysPerMonth = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(m time.Month, year int) int {
	if m == time.February && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return daysPerMonth[m]
}
