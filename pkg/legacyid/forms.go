// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package legacyid

import "strings"

// Rule 1: W3C traceparent vv-<32 hex>-<16 hex>-<2 hex>. Version ff is invalid; versions above
// 00 may append "-..." fields, which are ignored as the W3C spec requires.
func parseTraceparent(v string, res *Result) bool {
	const baseLen = 55
	if len(v) < baseLen || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return false
	}
	var ver [1]byte
	if !decodeHex(ver[:], v[:2]) || ver[0] == 0xff {
		return false
	}
	if len(v) > baseLen && (ver[0] == 0 || v[baseLen] != '-') {
		return false
	}
	var flags [1]byte
	return decodeHex(res.TraceID[:], v[3:35]) &&
		decodeHex(res.SpanID[:], v[36:52]) &&
		decodeHex(flags[:], v[53:55]) &&
		!isZero(res.SpanID[:])
}

// Rule 2: UUID 8-4-4-4-12, optionally {braced} or prefixed urn:uuid:.
func parseUUID(v string, res *Result) bool {
	switch {
	case len(v) == 38 && v[0] == '{' && v[37] == '}':
		v = v[1:37]
	case len(v) == 45 && strings.EqualFold(v[:9], "urn:uuid:"):
		v = v[9:]
	}
	if len(v) != 36 || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
		return false
	}
	t := res.TraceID[:]
	return decodeHex(t[0:4], v[0:8]) &&
		decodeHex(t[4:6], v[9:13]) &&
		decodeHex(t[6:8], v[14:18]) &&
		decodeHex(t[8:10], v[19:23]) &&
		decodeHex(t[10:16], v[24:36])
}

// Rule 3: 32 hex digits.
func parseHex128(v string, res *Result) bool {
	return len(v) == 32 && decodeHex(res.TraceID[:], v)
}

// Rule 4: 16 hex digits, left-padded to 128 bits.
func parseHex64(v string, res *Result) bool {
	return len(v) == 16 && decodeHex(res.TraceID[8:], v)
}

// Rule 5: AWS X-Ray "Root=1-<8 hex>-<24 hex>[;Key=Value...]" or a bare "1-<8 hex>-<24 hex>".
func parseXRay(v string, res *Result) bool {
	if strings.HasPrefix(v, "1-") {
		return parseXRayRoot(v, res)
	}
	if !strings.Contains(v, "Root=") {
		return false
	}
	for part := range strings.SplitSeq(v, ";") {
		key, val, found := strings.Cut(trimASCIISpace(part), "=")
		if found && key == "Root" {
			return parseXRayRoot(val, res)
		}
	}
	return false
}

func parseXRayRoot(v string, res *Result) bool {
	return len(v) == 35 && v[0] == '1' && v[1] == '-' && v[10] == '-' &&
		decodeHex(res.TraceID[0:4], v[2:10]) &&
		decodeHex(res.TraceID[4:16], v[11:35])
}

// Rule 6: Google X-Cloud-Trace-Context "<32 hex>/<decimal span>[;o=N]".
func parseCloudTrace(v string, res *Result) bool {
	if len(v) < 34 || v[32] != '/' || !decodeHex(res.TraceID[:], v[:32]) {
		return false
	}
	rest := v[33:]
	span, options, hasOptions := strings.Cut(rest, ";")
	if hasOptions && !validCloudTraceOptions(options) {
		return false
	}
	n, ok := parseUint64(span)
	if !ok || n == 0 {
		return false
	}
	for i := 7; i >= 0; i-- {
		res.SpanID[i] = byte(n)
		n >>= 8
	}
	return true
}

func validCloudTraceOptions(opts string) bool {
	val, ok := strings.CutPrefix(opts, "o=")
	if !ok {
		return false
	}
	_, ok = parseUint64(val)
	return ok
}

func parseUint64(s string) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// Rule 7: Jaeger uber-trace-id "<trace>:<span>:<parent>:<flags>". The trace is 16 or 32 hex;
// span and parent are up to 16 hex (Jaeger clients drop leading zeros); flags are hex.
func parseJaeger(v string, res *Result) bool {
	trace, rest, ok := strings.Cut(v, ":")
	if !ok {
		return false
	}
	span, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return false
	}
	parent, flags, ok := strings.Cut(rest, ":")
	if !ok || strings.Contains(flags, ":") {
		return false
	}
	return parseTrace64or128(trace, res) &&
		decodeHexRight(res.SpanID[:], span) && !isZero(res.SpanID[:]) &&
		len(parent) <= 16 && isHex(parent) &&
		len(flags) <= 2 && isHex(flags)
}

// Rule 8: B3 single header "<trace>-<span>[-<sampled>[-<parent>]]".
func parseB3(v string, res *Result) bool {
	trace, rest, ok := strings.Cut(v, "-")
	if !ok {
		return false
	}
	span, rest, hasMore := strings.Cut(rest, "-")
	if len(span) != 16 || !parseTrace64or128(trace, res) || !decodeHex(res.SpanID[:], span) || isZero(res.SpanID[:]) {
		return false
	}
	if !hasMore {
		return true
	}
	sampled, parent, hasParent := strings.Cut(rest, "-")
	if sampled != "0" && sampled != "1" && sampled != "d" {
		return false
	}
	return !hasParent || (len(parent) == 16 && isHex(parent))
}

func parseTrace64or128(s string, res *Result) bool {
	switch len(s) {
	case 32:
		return decodeHex(res.TraceID[:], s)
	case 16:
		return decodeHex(res.TraceID[8:], s)
	}
	return false
}
