// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package timeparse

import (
	"testing"
	"time"
)

func TestString(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	cases := []struct {
		in    string
		want  time.Time
		zoned bool
	}{
		{"2026-02-27T14:32:15.847Z", time.Date(2026, 2, 27, 14, 32, 15, 847e6, time.UTC), true},
		{"2026-02-27T22:15:30.123456+00:00", time.Date(2026, 2, 27, 22, 15, 30, 123456e3, time.UTC), true},
		{"2026-02-27T22:15:30+01:00", time.Date(2026, 2, 27, 21, 15, 30, 0, time.UTC), true},
		{"2026-02-27T22:15:30.123456", time.Date(2026, 2, 27, 22, 15, 30, 123456e3, ny), false},
		{"2024-05-14 10:03:21,512", time.Date(2024, 5, 14, 10, 3, 21, 512e6, ny), false},
		{"2024-05-14 10:03:21", time.Date(2024, 5, 14, 10, 3, 21, 0, ny), false},
		{"1740648735847", time.UnixMilli(1740648735847), true},
		{"1740648735.5", time.Unix(1740648735, 5e8), true},
	}
	for _, c := range cases {
		got, zoned, err := String(c.in, ny)
		if err != nil || !got.Equal(c.want) || zoned != c.zoned {
			t.Errorf("String(%q) = %v, %v, %v; want %v, %v", c.in, got, zoned, err, c.want, c.zoned)
		}
	}
	for _, bad := range []string{"", "yesterday", "2024-13-01T00:00:00Z", "9999-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "-5", "NaN", "Inf"} {
		if _, _, err := String(bad, time.UTC); err == nil {
			t.Errorf("String(%q) accepted", bad)
		}
	}
}

func TestEpochMagnitudes(t *testing.T) {
	want := time.Date(2025, 2, 27, 9, 32, 15, 0, time.UTC)
	for _, n := range []float64{float64(want.Unix()), float64(want.UnixMilli()), float64(want.UnixMicro()), float64(want.UnixNano())} {
		got, err := Epoch(n)
		if err != nil || !got.Equal(want) {
			t.Errorf("Epoch(%v) = %v, %v", n, got, err)
		}
	}
}

// The common shapes take the fast reader; what it reads must be what the layouts read.
func TestISOTakesTheCommonShapes(t *testing.T) {
	for _, s := range []string{"2026-02-27T14:32:15.847Z", "2024-05-14 10:03:21,512", "2026-02-27T22:15:30.123456+00:00", "2026-02-27T22:15:30-0530", "2024-02-29 00:00:00"} {
		if _, _, ok := iso(s, time.UTC); !ok {
			t.Errorf("iso(%q) declined", s)
		}
		assertISOMatchesLayouts(t, s)
	}
	for _, s := range []string{"2023-02-29 00:00:00", "2024-05-14 24:00:00", "2024-05-14T10:03:60Z", "2024-05-14T10:03:21.Z", "2024-05-14T10:03:21+25:00", "2024-05-14T10:03:21+05:0"} {
		if _, _, ok := iso(s, time.UTC); ok {
			t.Errorf("iso(%q) accepted", s)
		}
	}
}

func assertISOMatchesLayouts(t *testing.T, s string) {
	t.Helper()
	loc := time.FixedZone("test", -3*3600)
	got, zoned, ok := iso(s, loc)
	if !ok {
		return
	}
	want, wantZoned, err := byLayout(s, loc)
	if (inRange(got) == nil) != (err == nil) {
		t.Fatalf("iso(%q) = %v (range check: %v); the layouts say %v", s, got, inRange(got), err)
	}
	if err == nil && (!got.Equal(want) || zoned != wantZoned) {
		t.Fatalf("iso(%q) = %v zoned=%v; layouts: %v zoned=%v", s, got, zoned, want, wantZoned)
	}
}

func FuzzISOMatchesLayouts(f *testing.F) {
	for _, s := range []string{"2026-02-27T14:32:15.847Z", "2024-05-14 10:03:21,512", "2026-02-27T22:15:30.123456+01:00", "2026-02-27 22:15:30+0100", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(assertISOMatchesLayouts)
}

// BenchmarkString: the fast reader's shapes, and the layouts' reader on the same input.
func BenchmarkString(b *testing.B) {
	for _, s := range []string{"2026-02-27T14:32:15.847Z", "2024-05-14 10:03:21,512"} {
		b.Run("iso/"+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = String(s, time.UTC)
			}
		})
		b.Run("layouts/"+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = byLayout(s, time.UTC)
			}
		})
	}
}
