// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyid

// Hand-written hex helpers: the hot path must not allocate, and encoding/hex works on []byte.

const lowerHex = "0123456789abcdef"

// hexTable maps a byte to its hex value, or to invalidHex.
var hexTable = func() (t [256]byte) {
	for i := range t {
		t[i] = invalidHex
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
		t[c-'a'+'A'] = c - 'a' + 10
	}
	return t
}()

const invalidHex = 0xff

func hexVal(c byte) (byte, bool) {
	v := hexTable[c]
	return v, v != invalidHex
}

// decodeHex writes the hex digits of s (even length) into dst, which must be len(s)/2 long.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	var bad byte
	for i := range dst {
		hi, lo := hexTable[s[2*i]], hexTable[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&0x0f
	}
	return bad&0xf0 == 0 // every valid value is < 16; invalidHex sets the high bits
}

// decodeHexRight decodes 1..2*len(dst) hex digits right-aligned into dst, zero-padding on the
// left (the 64-bit convention of B3, Jaeger and Datadog, and Jaeger's dropped leading zeros).
func decodeHexRight(dst []byte, s string) bool {
	if len(s) == 0 || len(s) > 2*len(dst) {
		return false
	}
	clear(dst)
	j := len(dst) - 1
	for i := len(s) - 1; i >= 0; i -= 2 {
		lo, ok := hexVal(s[i])
		if !ok {
			return false
		}
		var hi byte
		if i > 0 {
			if hi, ok = hexVal(s[i-1]); !ok {
				return false
			}
		}
		dst[j] = hi<<4 | lo
		j--
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if _, ok := hexVal(s[i]); !ok {
			return false
		}
	}
	return len(s) > 0
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// appendHex appends the lower-case hex form of b.
func appendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, lowerHex[c>>4], lowerHex[c&0x0f])
	}
	return dst
}
