package indexer

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// readInput reads a whole input file, transparently decompressing gzip
// (recognised by its magic bytes, not by the file name, so "options.json"
// that happens to be compressed still works).
func readInput(path string) ([]byte, error) {
	// os.ReadFile sizes its buffer from the file's size: io.ReadAll's
	// doubling allocated several times the 60 MB of 100,000 packages.
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decompress(path, data)
}

func decompress(path string, data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, &PositionError{File: path, Err: fmt.Errorf("reading gzip: %w", err)}
	}
	// The gzip trailer holds the uncompressed size (mod 4 GiB): a hint for
	// the buffer, so it is not regrown from 512 bytes.
	var out bytes.Buffer
	if n := len(data); n >= 18 {
		if size := binary.LittleEndian.Uint32(data[n-4:]); size < 1<<30 {
			out.Grow(int(size) + bytes.MinRead)
		}
	}
	if _, err := out.ReadFrom(zr); err != nil {
		return nil, &PositionError{File: path, Err: fmt.Errorf("reading gzip: %w", err)}
	}
	return out.Bytes(), nil
}

// PositionError is a problem at a place in an input file. Line and Column
// are 1-based and count in the decompressed text.
type PositionError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *PositionError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *PositionError) Unwrap() error { return e.Err }

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	prefix := data[:offset]
	line = bytes.Count(prefix, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(prefix, '\n') + 1) + 1
	return line, col
}

// jsonError locates a decoding error in the file it came from. Offsets
// are relative to base, the start of the value being decoded.
func jsonError(file string, data []byte, base int64, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		l, c := lineCol(data, base+syn.Offset)
		return &PositionError{File: file, Line: l, Column: c, Err: fmt.Errorf("invalid JSON: %w", err)}
	case errors.As(err, &typ):
		l, c := lineCol(data, base+typ.Offset)
		what := typ.Field
		if what == "" {
			what = "value"
		}
		return &PositionError{File: file, Line: l, Column: c,
			Err: fmt.Errorf("%s: expected %s, found JSON %s", what, typ.Type, typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		l, c := lineCol(data, int64(len(data)))
		return &PositionError{File: file, Line: l, Column: c, Err: errors.New("invalid JSON: unexpected end of input")}
	}
	return &PositionError{File: file, Err: err}
}

// objectMembers splits a JSON object into its members in file order,
// keeping each value's offset so later errors can name a line. Duplicate
// keys are reported, not silently merged.
type member struct {
	Key    string
	Value  json.RawMessage
	Offset int64 // offset of the value in the file
}

func objectMembers(file string, data []byte) ([]member, error) {
	var out []member
	err := eachMember(file, data, func(m member) { out = append(out, m) })
	return out, err
}

// eachMember calls fn for each member of the top-level object in data, in
// order.
//
// A well-formed object is split by scanMembers, and fn gets values that
// json.Unmarshal has yet to validate; anything else is scanned by
// json.Decoder, whose errors say where the structure breaks.
func eachMember(file string, data []byte, fn func(member)) error {
	if members, ok := scanMembers(data); ok {
		for _, m := range members {
			fn(m)
		}
		return nil
	}
	return decodeMembers(file, data, fn)
}

// eachMemberIn is eachMember for the object at data[start:end]: member
// offsets, and the line and column of errors, count from the start of
// data, so that they name the place in the file.
func eachMemberIn(file string, data []byte, start, end int, fn func(member)) error {
	if start == 0 && end == len(data) {
		return eachMember(file, data, fn)
	}
	err := eachMember(file, data[start:end], func(m member) {
		m.Offset += int64(start)
		fn(m)
	})
	var pe *PositionError
	if errors.As(err, &pe) && pe.Line > 0 {
		line, col := lineCol(data, int64(start))
		if pe.Line == 1 {
			pe.Column += col - 1
		}
		pe.Line += line - 1
	}
	return err
}

// decodeMembers is eachMember with json.Decoder: slower, but it validates
// everything as it goes and its errors name the place.
func decodeMembers(file string, data []byte, fn func(member)) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return jsonError(file, data, 0, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		l, c := lineCol(data, dec.InputOffset()-1)
		return &PositionError{File: file, Line: l, Column: c,
			Err: fmt.Errorf("expected a JSON object at the top level, found %s", describeToken(tok))}
	}
	seen := make(map[string]bool)
	for dec.More() {
		keyOff := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return jsonError(file, data, 0, err)
		}
		key, _ := tok.(string)
		if seen[key] {
			l, c := lineCol(data, skipSpace(data, keyOff))
			return &PositionError{File: file, Line: l, Column: c, Err: fmt.Errorf("duplicate key %q", key)}
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonError(file, data, 0, err)
		}
		valOff := dec.InputOffset() - int64(len(raw))
		fn(member{Key: key, Value: raw, Offset: valOff})
	}
	if _, err := dec.Token(); err != nil {
		return jsonError(file, data, 0, err)
	}
	// Anything after the closing brace is a mistake (two concatenated files).
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		l, c := lineCol(data, skipSpace(data, end))
		return &PositionError{File: file, Line: l, Column: c, Err: errors.New("unexpected data after the top-level object")}
	}
	return nil
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return string(t)
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// decodeAt decodes one member value, reporting errors at their place in file.
func decodeAt(file string, data []byte, m member, v any) error {
	if err := json.Unmarshal(m.Value, v); err != nil {
		err = jsonError(file, data, m.Offset, err)
		var pe *PositionError
		if errors.As(err, &pe) {
			pe.Err = fmt.Errorf("%q: %w", m.Key, pe.Err)
		}
		return err
	}
	return nil
}
