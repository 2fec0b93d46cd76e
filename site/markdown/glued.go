package markdown

import "bytes"

// nixpkgs' mkPackageOption builds descriptions as
// "The foo package to use. " + extraDescription, so an extra description
// that starts with an admonition ends up glued to the first sentence:
// "The foo package to use. ::: {.note}". About a dozen real NixOS options
// look like that. A block cannot start mid-line, so before parsing, the
// space in front of such a glued opener becomes a line break. The rewrite
// keeps every byte offset (one byte for one byte), so diagnostics computed
// against the original source keep their lines; lines inside fenced code
// are left alone.

var gluedMarker = []byte(" :::")

// splitGluedOpeners returns src with glued admonition openers moved to a
// line of their own; src itself when there are none.
func splitGluedOpeners(src []byte) []byte {
	if !bytes.Contains(src, gluedMarker) {
		return src
	}
	var out []byte
	var fenceChar byte
	fenceLen := 0
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		line := src[start:end]
		if c, n := fenceRun(line); n >= 3 {
			switch {
			case fenceLen == 0:
				fenceChar, fenceLen = c, n
			case c == fenceChar && n >= fenceLen:
				fenceLen = 0
			}
		} else if fenceLen == 0 {
			// Text before the opener must contain a letter: "> ::: {.note}"
			// and "- ::: {.note}" are container markers, not a sentence.
			if i := bytes.LastIndex(line, gluedMarker); i > 0 && hasLetter(line[:i]) && isKnownOpener(line[i+1:]) {
				if out == nil {
					out = append([]byte(nil), src...)
				}
				out[start+i] = '\n'
			}
		}
		start = end + 1
	}
	if out == nil {
		return src
	}
	return out
}

// fenceRun returns the fence character and run length when line starts a
// code fence (up to three spaces, then ``` or ~~~), else 0.
func fenceRun(line []byte) (byte, int) {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	if i >= len(line) || (line[i] != '`' && line[i] != '~') {
		return 0, 0
	}
	c := line[i]
	n := 0
	for i+n < len(line) && line[i+n] == c {
		n++
	}
	return c, n
}

// isKnownOpener reports whether b is ":::+ {.kind …}" for a known kind.
func isKnownOpener(b []byte) bool {
	n := colons(b)
	if n < 3 {
		return false
	}
	rest := bytes.TrimSpace(b[n:])
	if len(rest) < 3 || rest[0] != '{' || rest[len(rest)-1] != '}' {
		return false
	}
	for _, f := range bytes.Fields(rest[1 : len(rest)-1]) {
		if len(f) > 1 && f[0] == '.' {
			k := string(bytes.ToLower(f[1:]))
			if a, ok := admonitionAliases[k]; ok {
				k = a
			}
			_, ok := admonitionKinds[k]
			return ok
		}
	}
	return false
}

func hasLetter(b []byte) bool {
	for _, c := range b {
		if isAlpha(c) {
			return true
		}
	}
	return false
}
