package markdown

// allowedSchemes are the URL schemes a link or image may use. Everything
// else (javascript:, vbscript:, data:, file:, and whatever a browser may add
// tomorrow) is dropped: an allow-list fails closed.
var allowedSchemes = map[string]bool{
	"http": true, "https": true, "mailto": true, "ftp": true, "ftps": true, "sftp": true,
	"irc": true, "ircs": true, "xmpp": true, "tel": true, "news": true, "git": true, "ssh": true,
}

// safeURL reports whether a link destination, as written in Markdown, is
// harmless: relative, or with an allowed scheme. Backslash escapes and
// character references are resolved first, as the renderer will resolve
// them, and the scheme is read the way a browser reads it, ignoring the
// ASCII tabs, newlines and control characters a browser strips, so
// "java&#9;script:", "&#x6A;avascript:" and " javascript:" are recognised.
func safeURL(dest []byte) bool {
	dest = unescape(dest)
	var scheme [16]byte
	n := 0
	for _, c := range dest {
		if c <= 0x20 || c == 0x7f {
			continue // browsers strip these; treat them as absent
		}
		switch {
		case c == ':':
			if n == 0 {
				return true // ":foo" is a relative path
			}
			return allowedSchemes[string(scheme[:n])]
		case isAlpha(c) || (n > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')):
			if n == len(scheme) {
				return false // no allowed scheme is this long
			}
			scheme[n] = c | 0x20 // ASCII lower case
			n++
		default:
			// '/', '?', '#', a non-ASCII byte, …: no scheme, a relative URL.
			return true
		}
	}
	return true
}
