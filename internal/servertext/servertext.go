// Package servertext makes text that came from a server safe to show a person: the API token
// removed in every encoding a server could echo it in (Scrubber), control characters made
// visible and inert, and each value cut to a bound with a note of how much was cut (Clean). It
// is the one rule for such text: the API client applies it (Scrubber.Show) to everything a server
// says (messages, violations, raw bodies, redirect targets, decoding errors), the conformance
// tool to what it prints.
package servertext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of one value, and of a whole rendered error.
const (
	// Value is what one value from a server (a message, a body excerpt) may take.
	Value = 512
	// Short is for names and the like: a member name, a redirect target, a violation's path.
	Short = 160
	// Whole bounds a whole rendered error, however many values it holds.
	Whole = 4096
)

// Clean returns text with every rune a terminal could act on written as a visible escape: C0
// controls but tab and newline, DEL, C1 controls (which include CSI and OSC, the openers of
// colour, cursor and hyperlink sequences), Unicode formatting characters such as the bidi
// overrides, and the line and paragraph separators; invalid UTF-8 becomes U+FFFD. A newline is
// kept but indented, so no line of server text starts where a diagnostic's own lines do. The
// result holds at most limit bytes of text, then a note of how many bytes of the value were
// not shown. Only the first limit bytes of text are examined.
func Clean(text string, limit int) string {
	cut := 0
	if len(text) > limit {
		cut = len(text) - limit
		text = strings.ToValidUTF8(text[:limit], "")
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for len(text) > 0 {
		r, size := utf8.DecodeRuneInString(text)
		text = text[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n':
			b.WriteString("\n  ")
		case r == '\t' || (r >= 0x20 && r != 0x7f && !unsafe(r)):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	if cut > 0 {
		fmt.Fprintf(&b, "…(%d more bytes not shown)", cut)
	}
	return b.String()
}

// Name returns a short value from a server that names something (a user id, a host) as one
// quoted line: cleaned as Clean does and cut to Short, with line breaks and tabs made visible too,
// so a name can neither start a line of its own nor paint the terminal.
func Name(text string) string {
	text = Clean(text, Short)
	text = strings.NewReplacer("\n  ", `\n`, "\t", `\t`, `"`, `\"`).Replace(text)
	return `"` + text + `"`
}

// unsafe reports whether r, printable as far as ASCII goes, can still change how a terminal
// shows what follows it: C1 controls, formatting characters (bidi overrides, zero-width
// joiners) and the line and paragraph separators.
func unsafe(r rune) bool {
	return (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// Cap returns text cut to at most limit bytes (at a rune boundary) with a note, for an already
// cleaned text that holds several values.
func Cap(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	return strings.ToValidUTF8(text[:limit], "") + fmt.Sprintf("…(%d more bytes not shown)", len(text)-limit)
}
