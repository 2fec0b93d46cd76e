package indexer

import (
	"bytes"
	"encoding/json"
)

// scanMembers splits a well-formed top-level JSON object into its members
// without decoding the values: it follows only strings and bracket depth,
// about twenty times faster than json.Decoder's token-by-token scan of a
// 60 MB package list. The values are left for json.Unmarshal, which
// validates them fully. ok is false when the object's own structure is not
// as expected (not an object, a missing colon or comma, an unterminated
// string, trailing data, a control character in a key, a duplicate key);
// the caller then scans with json.Decoder, whose error names the place.
func scanMembers(data []byte) (out []member, ok bool) {
	i := skipWS(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil, skipWS(data, i+1) == len(data)
	}
	seen := make(map[string]bool)
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, false
		}
		end, ok := stringEnd(data, i)
		if !ok {
			return nil, false
		}
		key, ok := jsonString(data[i:end]) // decoded as json.Decoder would
		if !ok || seen[key] {
			return nil, false
		}
		seen[key] = true
		i = skipWS(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, false
		}
		start := skipWS(data, i+1)
		end, ok = valueEnd(data, start)
		if !ok {
			return nil, false
		}
		out = append(out, member{Key: key, Value: json.RawMessage(data[start:end]), Offset: int64(start)})
		i = skipWS(data, end)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case ',':
			i = skipWS(data, i+1)
		case '}':
			return out, skipWS(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

func skipWS(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the offset just past the string starting at data[i]
// (a quote); false when it does not end or holds a control character.
func stringEnd(data []byte, i int) (int, bool) {
	j := i + 1
	for {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return 0, false
		}
		q := j + k
		for _, c := range data[j:q] {
			if c < 0x20 {
				return 0, false
			}
		}
		// An escaped quote has an odd number of backslashes before it.
		n := 0
		for p := q - 1; p > i && data[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, true
		}
		j = q + 1
	}
}

// valueEnd returns the offset just past the value starting at data[i]:
// a string, an object or array (by bracket depth, skipping strings), or a
// scalar (up to the next delimiter). What is inside is not checked.
func valueEnd(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, ok := stringEnd(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	case ',', '}', ']', ':':
		return 0, false
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ' ', '\t', '\r', '\n', ',', '}', ']', ':', '"', '{', '[':
			return j, true
		}
		j++
	}
	return j, true
}
