// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package esstandin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonKind is the JSON token kind of a document value.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonString
	jsonNumber
	jsonBool
	jsonObject
	jsonArray
)

// jsonValue is a parsed document value that keeps what Elasticsearch's parser sees and
// encoding/json's maps lose: the order of keys, the exact text of numbers, and whether a
// number was written as a string.
type jsonValue struct {
	kind jsonKind
	str  string // string value, or the number's text
	b    bool
	obj  []jsonMember
	arr  []jsonValue
}

type jsonMember struct {
	key string
	val jsonValue
}

// parseSource reads one document source as Elasticsearch's JSON parser does: a single
// object, nothing after it, and — Elasticsearch enables Jackson's STRICT_DUPLICATE_DETECTION —
// a key given twice in one object is an error ("Duplicate field 'x'").
func parseSource(line []byte) (jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err != nil {
		return jsonValue{}, err
	}
	if v.kind != jsonObject {
		return jsonValue{}, errors.New("root of a document must be an object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jsonValue{}, errors.New("unexpected content after the end of the document")
	}
	return v, nil
}

// maxNestingDepth is Jackson's StreamReadConstraints default (2.15 and later, which
// Elasticsearch 8 ships): a document nested deeper does not parse.
const maxNestingDepth = 1000

func readValue(dec *json.Decoder, depth int) (jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return jsonValue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jsonValue{kind: jsonNull}, nil
	case string:
		return jsonValue{kind: jsonString, str: t}, nil
	case json.Number:
		return jsonValue{kind: jsonNumber, str: t.String()}, nil
	case bool:
		return jsonValue{kind: jsonBool, b: t}, nil
	case json.Delim:
		if depth+1 > maxNestingDepth {
			return jsonValue{}, fmt.Errorf("Document nesting depth (%d) exceeds the maximum allowed (%d, from `StreamReadConstraints.getMaxNestingDepth()`)", depth+1, maxNestingDepth) //nolint:staticcheck // Jackson's own wording
		}
		if t == '[' {
			out := jsonValue{kind: jsonArray}
			for dec.More() {
				el, err := readValue(dec, depth+1)
				if err != nil {
					return jsonValue{}, err
				}
				out.arr = append(out.arr, el)
			}
			_, err := dec.Token()
			return out, err
		}
		out := jsonValue{kind: jsonObject}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return jsonValue{}, err
			}
			key, _ := kt.(string)
			if seen[key] {
				return jsonValue{}, fmt.Errorf("Duplicate field '%s'", key) //nolint:staticcheck // Elasticsearch's (Jackson's) own wording
			}
			seen[key] = true
			val, err := readValue(dec, depth+1)
			if err != nil {
				return jsonValue{}, err
			}
			out.obj = append(out.obj, jsonMember{key: key, val: val})
		}
		_, err := dec.Token()
		return out, err
	}
	return jsonValue{}, fmt.Errorf("unexpected token %v", tok)
}

// preview is the short text Elasticsearch quotes in "Preview of field's value".
func (v jsonValue) preview() string {
	switch v.kind {
	case jsonNull:
		return "null"
	case jsonString, jsonNumber:
		return v.str
	case jsonBool:
		return fmt.Sprint(v.b)
	case jsonArray:
		return "[...]"
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range v.obj {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.key + "=" + m.val.preview())
	}
	b.WriteByte('}')
	return b.String()
}
