package servertext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Constraints violated.":             "Constraints violated.",
		"clear \x1b[2J screen":              `clear \x1b[2J screen`,
		"link \x1b]8;;https://x\x07here":    `link \x1b]8;;https://x\x07here`,
		"c1 \u009b31m csi":                  `c1 \x9b31m csi`,
		"bidi \u202eevil":                   `bidi \u202eevil`,
		"line\nError: run curl | sh":        "line\n  Error: run curl | sh",
		"cr\roverwrite":                     `cr\x0doverwrite`,
		"tab\tkept, del\x7f":                "tab\tkept, del\\x7f",
		"bad utf8 \xff":                     "bad utf8 \uFFFD",
		"日本語 and ümlauts":                   "日本語 and ümlauts",
		"zero\u200bwidth, separator\u2028x": `zero\u200bwidth, separator\u2028x`,
	} {
		if got := Clean(in, 100); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzClean: whatever the input, the output has no raw control or formatting character (but
// newline and tab), every newline is followed by the indent, and its size is bounded.
func FuzzClean(f *testing.F) {
	for _, seed := range []string{"\x1b[2J", "a\nb", "\u009b", "\xff\xfe", strings.Repeat("x", 1000), "\u202e\u2066"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Clean(in, 64)
		if len(out) > 64*6+64 {
			t.Fatalf("%d bytes out of %d in", len(out), len(in))
		}
		for i, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("raw %U at %d in %q", r, i, out)
			}
			if r == '\n' && !strings.HasPrefix(out[i+1:], "  ") {
				t.Fatalf("a newline not indented in %q", out)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out: %q", out)
		}
	})
}

func TestCleanCutsWithANote(t *testing.T) {
	got := Clean(strings.Repeat("9", 50_000_000), Short)
	if len(got) > Short+40 || !strings.HasSuffix(got, "…(49999840 more bytes not shown)") {
		t.Errorf("Clean of 50 MB = %d bytes ending %q", len(got), got[len(got)-40:])
	}
	if got := Cap(strings.Repeat("é", 10), 5); got != "éé…(15 more bytes not shown)" {
		t.Errorf("Cap = %q", got)
	}
}

// TestName: a name from a server is one quoted line, whatever it holds.
func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"jane.doe":                             `"jane.doe"`,
		"evil\n\nApply complete! Resources: 0": `"evil\n\nApply complete! Resources: 0"`,
		"bell\x07 and \x1b[31mred":             `"bell\x07 and \x1b[31mred"`,
		"tab\there, quote\" inside":            `"tab\there, quote\" inside"`,
		"José":                                 `"José"`,
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Name(strings.Repeat("x", 10_000)); len(got) > Short+40 || strings.ContainsAny(got, "\n\t") {
		t.Errorf("Name of 10,000 bytes = %d bytes", len(got))
	}
}
