package markdown

import (
	"github.com/alecthomas/chroma/v2"
)

// Nix is by far the most highlighted language here: every literalExpression
// default and example of an option set (about 0.5 MB for NixOS) plus most
// code blocks. chroma's Nix lexer matches strings one character at a time
// through regexp2 and runs at well under 1 MB/s, which alone would take
// most of a site build's time budget, so Nix gets this hand-written lexer.
// It emits chroma's token types with the same classification as chroma's
// Nix lexer (keywords, constants, builtins, paths, URIs, strings with
// escapes and nested interpolation), so the CSS from StyleCSS applies
// unchanged. TestNixLexerAgreesWithChroma compares the two on the corpus.

// nixFrame is one level of the lexer's context stack.
type nixFrame struct {
	mode   byte // 'c' code, '"' double-quoted string, '\'' indented string
	depth  int  // open braces inside an interpolation (code frames only)
	interp bool
}

// tokeniseNix splits src into tokens; concatenating the emitted values
// gives src back exactly.
func tokeniseNix(src string, emit func(chroma.TokenType, string)) {
	stack := []nixFrame{{mode: 'c'}}
	i := 0
	for i < len(src) {
		top := &stack[len(stack)-1]
		switch top.mode {
		case '"':
			switch {
			case src[i] == '"':
				emit(chroma.LiteralStringDouble, src[i:i+1])
				stack = stack[:len(stack)-1]
				i++
			case hasPrefixAt(src, i, "${"):
				emit(chroma.LiteralStringInterpol, src[i:i+2])
				stack = append(stack, nixFrame{mode: 'c', interp: true})
				i += 2
			case src[i] == '\\':
				n := min(len(src), i+1+utf8Len(src, i+1))
				emit(chroma.LiteralStringEscape, src[i:n])
				i = n
			default:
				j := i + 1
				for j < len(src) && src[j] != '"' && src[j] != '\\' && !hasPrefixAt(src, j, "${") {
					j++
				}
				emit(chroma.LiteralStringDouble, src[i:j])
				i = j
			}
		case '\'':
			switch {
			case hasPrefixAt(src, i, "''$"), hasPrefixAt(src, i, "'''"):
				emit(chroma.LiteralStringEscape, src[i:i+3])
				i += 3
			case hasPrefixAt(src, i, "''\\"):
				n := min(len(src), i+3+utf8Len(src, i+3))
				emit(chroma.LiteralStringEscape, src[i:n])
				i = n
			case hasPrefixAt(src, i, "''"):
				emit(chroma.LiteralStringSingle, src[i:i+2])
				stack = stack[:len(stack)-1]
				i += 2
			case hasPrefixAt(src, i, "${"):
				emit(chroma.LiteralStringInterpol, src[i:i+2])
				stack = append(stack, nixFrame{mode: 'c', interp: true})
				i += 2
			default:
				j := i + 1
				for j < len(src) && !hasPrefixAt(src, j, "''") && !hasPrefixAt(src, j, "${") {
					j++
				}
				emit(chroma.LiteralStringSingle, src[i:j])
				i = j
			}
		default:
			i, stack = nixCode(src, i, stack, emit)
		}
	}
}

// nixCode lexes one token in code mode and returns the new position and
// stack.
func nixCode(src string, i int, stack []nixFrame, emit func(chroma.TokenType, string)) (int, []nixFrame) {
	top := &stack[len(stack)-1]
	c := src[i]
	switch {
	case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		j := i + 1
		for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r' || src[j] == '\n') {
			j++
		}
		emit(chroma.Text, src[i:j])
		return j, stack
	case c == '#':
		j := i
		for j < len(src) && src[j] != '\n' {
			j++
		}
		emit(chroma.CommentSingle, src[i:j])
		return j, stack
	case hasPrefixAt(src, i, "/*"):
		j := i + 2
		for j < len(src) && !hasPrefixAt(src, j, "*/") {
			j++
		}
		j = min(len(src), j+2)
		emit(chroma.CommentMultiline, src[i:j])
		return j, stack
	case c == '"':
		emit(chroma.LiteralStringDouble, src[i:i+1])
		return i + 1, append(stack, nixFrame{mode: '"'})
	case hasPrefixAt(src, i, "''"):
		emit(chroma.LiteralStringSingle, src[i:i+2])
		return i + 2, append(stack, nixFrame{mode: '\''})
	case hasPrefixAt(src, i, "${"):
		emit(chroma.LiteralStringInterpol, src[i:i+2])
		return i + 2, append(stack, nixFrame{mode: 'c', interp: true})
	case c == '{':
		top.depth++
		emit(chroma.Punctuation, src[i:i+1])
		return i + 1, stack
	case c == '}':
		if top.interp && top.depth == 0 {
			emit(chroma.LiteralStringInterpol, src[i:i+1])
			return i + 1, stack[:len(stack)-1]
		}
		if top.depth > 0 {
			top.depth--
		}
		emit(chroma.Punctuation, src[i:i+1])
		return i + 1, stack
	case c == '(' || c == ')' || c == '[' || c == ']' || c == ';' || c == ':':
		emit(chroma.Punctuation, src[i:i+1])
		return i + 1, stack
	case c == '<':
		if j := nixAnglePath(src, i); j > i {
			emit(chroma.LiteralStringRegex, src[i:j])
			return j, stack
		}
	}
	if j := nixPath(src, i); j > i {
		emit(chroma.LiteralStringRegex, src[i:j])
		return j, stack
	}
	if isAlpha(c) {
		if j := nixURI(src, i); j > i {
			emit(chroma.LiteralStringDoc, src[i:j])
			return j, stack
		}
	}
	if isAlpha(c) || c == '_' {
		j := i + 1
		for j < len(src) && isNixIDByte(src[j]) {
			j++
		}
		emit(nixWordType(src[i:j]), src[i:j])
		return j, stack
	}
	if isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])) {
		j, float := nixNumber(src, i)
		if float {
			emit(chroma.LiteralNumberFloat, src[i:j])
		} else {
			emit(chroma.LiteralNumberInteger, src[i:j])
		}
		return j, stack
	}
	for _, op := range nixOperators {
		if hasPrefixAt(src, i, op) {
			emit(chroma.Operator, op)
			return i + len(op), stack
		}
	}
	n := utf8Len(src, i)
	emit(chroma.Text, src[i:i+n])
	return i + n, stack
}

// nixOperators, longest first.
var nixOperators = []string{"...", "&&", ">=", "<=", "++", "->", "!=", "==", "||", "//", "=", "@", "!", "+", "?", "<", ".", ">", "*", "-", "/", ","}

func nixWordType(w string) chroma.TokenType {
	switch w {
	case "let", "in", "inherit", "assert", "with", "then", "else", "rec", "if", "or":
		return chroma.Keyword
	case "import":
		return chroma.KeywordNamespace
	case "true", "false", "null":
		return chroma.NameConstant
	case "throw":
		return chroma.NameException
	case "dependencyClosure", "fetchTarball", "filterSource", "currentTime", "removeAttrs", "baseNameOf",
		"derivation", "toString", "builtins", "getAttr", "hasAttr", "getEnv", "isNull", "abort", "dirOf", "toXML", "map":
		return chroma.NameBuiltin
	}
	return chroma.Name
}

func isNixIDByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '_' || c == '\'' || c == '-'
}

func isNixPathByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '.' || c == '_' || c == '+' || c == '-'
}

// nixPath returns the end of a path literal at i (./a, ../a, /a/b, a/b,
// ~/a), or i when there is none.
func nixPath(src string, i int) int {
	j := i
	if j < len(src) && src[j] == '~' {
		j++
		if j >= len(src) || src[j] != '/' {
			return i
		}
	} else {
		for j < len(src) && isNixPathByte(src[j]) {
			j++
		}
	}
	segments := 0
	for j+1 < len(src) && src[j] == '/' && isNixPathByte(src[j+1]) {
		j++
		for j < len(src) && isNixPathByte(src[j]) {
			j++
		}
		segments++
	}
	if segments == 0 {
		return i
	}
	return j
}

// nixAnglePath returns the end of <nixpkgs/lib> at i, or i.
func nixAnglePath(src string, i int) int {
	j := i + 1
	start := j
	for j < len(src) && (isNixPathByte(src[j]) || src[j] == '/') {
		j++
	}
	if j == start || j >= len(src) || src[j] != '>' || src[start] == '/' || src[j-1] == '/' {
		return i
	}
	return j + 1
}

// nixURI returns the end of an unquoted URI (https://example.org) at i, or i.
func nixURI(src string, i int) int {
	j := i + 1
	for j < len(src) && (isAlpha(src[j]) || isDigit(src[j]) || src[j] == '+' || src[j] == '.' || src[j] == '-') {
		j++
	}
	if j >= len(src) || src[j] != ':' {
		return i
	}
	k := j + 1
	for k < len(src) && isNixURIByte(src[k]) {
		k++
	}
	if k == j+1 {
		return i
	}
	return k
}

func isNixURIByte(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	switch c {
	case '%', '/', '?', ':', '@', '&', '=', '+', '$', ',', '_', '.', '!', '~', '*', '\'', '-':
		return true
	}
	return false
}

// nixNumber returns the end of a number at i and whether it is a float.
func nixNumber(src string, i int) (int, bool) {
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	float := false
	if j < len(src) && src[j] == '.' && (j+1 >= len(src) || isDigit(src[j+1]) || j > i) {
		k := j + 1
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		if k > j+1 || j > i {
			j, float = k, true
		}
	}
	if float && j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			for k < len(src) && isDigit(src[k]) {
				k++
			}
			j = k
		}
	}
	return j, float
}

func hasPrefixAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

// utf8Len is the length of the UTF-8 sequence starting at s[i] (1 for an
// invalid byte), so tokens never split a character.
func utf8Len(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	n := 1
	switch {
	case c >= 0xF0:
		n = 4
	case c >= 0xE0:
		n = 3
	case c >= 0xC0:
		n = 2
	}
	if i+n > len(s) {
		return len(s) - i
	}
	for k := 1; k < n; k++ {
		if s[i+k]&0xC0 != 0x80 {
			return 1
		}
	}
	return n
}
