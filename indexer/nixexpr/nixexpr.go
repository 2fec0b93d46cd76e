// Package nixexpr prints plain JSON values as the Nix expressions that
// evaluate to them, formatted the way nixfmt would lay them out, so option
// defaults and examples given as JSON read like the Nix a user writes.
package nixexpr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// width is the line length under which lists and attribute sets stay on
// one line.
const width = 72

// FromJSON returns the Nix expression for a JSON value. Attribute order is
// kept as in the input (Nix sorts attributes when evaluating anyway).
func FromJSON(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decode(dec)
	if err != nil {
		return "", fmt.Errorf("nixexpr: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("nixexpr: trailing data after the JSON value")
	}
	var b strings.Builder
	write(&b, v, "")
	return b.String(), nil
}

// node is a decoded JSON value that keeps object key order.
type node struct {
	kind  byte // 'n' null, 'b' bool, 'i' number, 's' string, 'a' array, 'o' object
	text  string
	items []node
	keys  []string
}

func decode(dec *json.Decoder) (node, error) {
	tok, err := dec.Token()
	if err != nil {
		return node{}, err
	}
	switch t := tok.(type) {
	case nil:
		return node{kind: 'n'}, nil
	case bool:
		return node{kind: 'b', text: strconv.FormatBool(t)}, nil
	case json.Number:
		return node{kind: 'i', text: number(t)}, nil
	case string:
		return node{kind: 's', text: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := node{kind: 'a'}
			for dec.More() {
				it, err := decode(dec)
				if err != nil {
					return node{}, err
				}
				n.items = append(n.items, it)
			}
			_, err := dec.Token()
			return n, err
		case '{':
			n := node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return node{}, err
				}
				it, err := decode(dec)
				if err != nil {
					return node{}, err
				}
				n.keys = append(n.keys, kt.(string))
				n.items = append(n.items, it)
			}
			_, err := dec.Token()
			return n, err
		}
	}
	return node{}, fmt.Errorf("unexpected token %v", tok)
}

// number rewrites JSON numbers Nix cannot read: Nix floats need digits
// before an exponent to contain a dot ("1e3" is not Nix, "1.0e3" is).
func number(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if hasExp {
		return mant + "e" + exp
	}
	return mant
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`)

var keywords = map[string]bool{
	"if": true, "then": true, "else": true, "assert": true, "with": true, "let": true,
	"in": true, "rec": true, "inherit": true, "or": true,
}

// Key renders an attribute name: bare when it is an identifier, quoted otherwise.
func Key(k string) string {
	if identRE.MatchString(k) && !keywords[k] {
		return k
	}
	return quote(k)
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteString(`\$`)
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// indentedOK says whether s can be written as a ” string without changing
// its value: Nix strips the common indentation of ” strings and treats
// tabs and carriage returns specially, so only strings whose lines already
// start at column zero and contain neither qualify.
func indentedOK(s string) bool {
	if !strings.Contains(s, "\n") || strings.ContainsAny(s, "\r\t") {
		return false
	}
	// A final ' would merge with the closing '' into the escape '''.
	if strings.HasSuffix(s, "'") {
		return false
	}
	lines := strings.Split(s, "\n")
	zero := false
	for i, l := range lines {
		if strings.TrimLeft(l, " ") == "" {
			// A whitespace-only line other than a final empty one would be
			// normalised away.
			if l != "" && i == len(lines)-1 {
				return false
			}
			if l != "" {
				return false
			}
			continue
		}
		if l[0] != ' ' {
			zero = true
		}
	}
	return zero && !strings.HasPrefix(s, "\n")
}

func indented(s, ind string) string {
	var b strings.Builder
	b.WriteString("''\n")
	inner := ind + "  "
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		last := i == len(lines)-1
		if l != "" {
			b.WriteString(inner)
			l = strings.ReplaceAll(l, "''", "'''")
			l = strings.ReplaceAll(l, "${", "''${")
			b.WriteString(l)
		}
		if !last {
			b.WriteByte('\n')
		}
	}
	if strings.HasSuffix(s, "\n") {
		b.WriteString(ind)
	}
	b.WriteString("''")
	return b.String()
}

// inline renders v on one line, or returns false when it contains a
// multi-line string.
func inline(v node) (string, bool) {
	switch v.kind {
	case 'n':
		return "null", true
	case 'b', 'i':
		return v.text, true
	case 's':
		if indentedOK(v.text) {
			return "", false
		}
		return quote(v.text), true
	case 'a':
		if len(v.items) == 0 {
			return "[ ]", true
		}
		parts := make([]string, len(v.items))
		for i, it := range v.items {
			s, ok := inline(it)
			if !ok {
				return "", false
			}
			parts[i] = listItem(it, s)
		}
		return "[ " + strings.Join(parts, " ") + " ]", true
	case 'o':
		if len(v.items) == 0 {
			return "{ }", true
		}
		parts := make([]string, len(v.items))
		for i, it := range v.items {
			s, ok := inline(it)
			if !ok {
				return "", false
			}
			parts[i] = Key(v.keys[i]) + " = " + s + ";"
		}
		return "{ " + strings.Join(parts, " ") + " }", true
	}
	return "", false
}

// listItem parenthesises negative numbers: in a list "-1" would parse as
// a subtraction.
func listItem(v node, s string) string {
	if v.kind == 'i' && strings.HasPrefix(s, "-") {
		return "(" + s + ")"
	}
	return s
}

func write(b *strings.Builder, v node, ind string) {
	if s, ok := inline(v); ok && len(ind)+len(s) <= width {
		b.WriteString(s)
		return
	}
	inner := ind + "  "
	switch v.kind {
	case 's':
		if indentedOK(v.text) {
			b.WriteString(indented(v.text, ind))
		} else {
			b.WriteString(quote(v.text))
		}
	case 'a':
		b.WriteString("[\n")
		for _, it := range v.items {
			b.WriteString(inner)
			if s, ok := inline(it); ok && len(inner)+len(s) <= width {
				b.WriteString(listItem(it, s))
			} else {
				write(b, it, inner)
			}
			b.WriteByte('\n')
		}
		b.WriteString(ind + "]")
	case 'o':
		b.WriteString("{\n")
		for i, it := range v.items {
			b.WriteString(inner + Key(v.keys[i]) + " = ")
			write(b, it, inner)
			b.WriteString(";\n")
		}
		b.WriteString(ind + "}")
	default:
		s, _ := inline(v)
		b.WriteString(s)
	}
}
