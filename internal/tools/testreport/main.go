// Command testreport reads `go test -json` on standard input and prints what a person needs: one
// line per package (as go test prints without -v), the whole output of every failed test, and at
// the end every skipped test with the reason it gave, then every failure (a passing test's lines
// that start with "# " are its report, and printed too), so that the last lines
// of a failed run name what failed. It exits 1 when a test, a package or a build failed, or when
// no test ran at all (a tier whose selection matches nothing must not pass), so
// `go test -json ... | go run ./internal/tools/testreport` fails as go test would, and more.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string  `json:"Action"`
	Package    string  `json:"Package"`
	Test       string  `json:"Test"`
	Output     string  `json:"Output"`
	Elapsed    float64 `json:"Elapsed"`
	ImportPath string  `json:"ImportPath"`
}

// testRef names a test (or a package, test ""), with what it said: a skip's reason, or what
// failed when no test did.
type testRef struct{ pkg, test, reason string }

// modulePath is cut from package names in the list of skipped tests.
const modulePath = "github.com/dtcluster/terraform-provider-dtcluster"

func main() {
	failed, err := report(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// report reads the events from in and writes the report to out; failed says whether anything
// failed.
func report(in io.Reader, out io.Writer) (failed bool, err error) {
	outputs := map[string][]string{} // package + "\x00" + test -> its output lines
	var skips, failures []testRef
	tests, skipped := 0, 0
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for scanner.Scan() {
		line := scanner.Bytes()
		var e event
		if json.Unmarshal(line, &e) != nil || e.Action == "" {
			fmt.Fprintln(out, string(line)) // not an event (a build error from go vet, say): as it is
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failed = true
			failures = append(failures, testRef{pkg: e.ImportPath, reason: "build failed"})
		case "output":
			outputs[key] = append(outputs[key], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					failed = true
					failures = append(failures, testRef{pkg: e.Package, reason: "package failed"})
				}
				printPackage(out, e, outputs[key])
				continue
			}
			if !strings.Contains(e.Test, "/") {
				tests++
			}
			switch e.Action {
			case "pass":
				// A passing test's report lines ("# " at the start of a t.Log line: soak and chaos
				// log their counts).
				for _, l := range outputs[key] {
					if line := logMessage(l); strings.HasPrefix(line, "# ") {
						fmt.Fprintln(out, line)
					}
				}
			case "fail":
				failed = true
				failures = append(failures, testRef{pkg: e.Package, test: e.Test})
				fmt.Fprint(out, strings.Join(outputs[key], ""))
			case "skip":
				skipped++
				skips = append(skips, testRef{e.Package, e.Test, skipReason(outputs[key])})
			}
			delete(outputs, key)
		}
	}
	if err := scanner.Err(); err != nil {
		return true, err
	}
	sortByTest(skips)
	sortByTest(failures)
	fmt.Fprintf(out, "\n%d tests, %d skipped, %d failed\n", tests, skipped, len(failures))
	for _, s := range skips {
		fmt.Fprintf(out, "  SKIP %s %s: %s\n", short(s.pkg), s.test, s.reason)
	}
	if tests == 0 && len(failures) == 0 {
		fmt.Fprintln(out, "\nFAILED: no test ran; a selection that matches no test is a failure, not a pass")
		return true, nil
	}
	if len(failures) > 0 {
		fmt.Fprintf(out, "\nFAILED: %d failed (their output is above):\n", len(failures))
		for _, f := range failures {
			fmt.Fprintf(out, "  FAIL %s %s%s\n", short(f.pkg), f.test, f.reason)
		}
	}
	return failed, nil
}

// sortByTest orders tests by package, then name.
func sortByTest(list []testRef) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].pkg != list[j].pkg {
			return list[i].pkg < list[j].pkg
		}
		return list[i].test < list[j].test
	})
}

// short is a package path below the module as ./path.
func short(pkg string) string {
	if rest, ok := strings.CutPrefix(pkg, modulePath); ok {
		return "." + rest
	}
	return pkg
}

// printPackage writes the line go test prints for a package: ok, FAIL, or no test files.
func printPackage(out io.Writer, e event, lines []string) {
	elapsed := (time.Duration(e.Elapsed * float64(time.Second))).Round(time.Millisecond)
	switch e.Action {
	case "pass":
		fmt.Fprintf(out, "ok  \t%s\t%s\n", e.Package, elapsed)
	case "skip":
		fmt.Fprintf(out, "?   \t%s\t[no test files]\n", e.Package)
	default:
		// Output outside any test (a panic, a TestMain failure) is shown with the failure.
		for _, l := range lines {
			if !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") && strings.TrimSpace(l) != "FAIL" && !strings.HasPrefix(l, "FAIL\t") {
				fmt.Fprint(out, l)
			}
		}
		fmt.Fprintf(out, "FAIL\t%s\t%s\n", e.Package, elapsed)
	}
}

// logMessage is a line of a test's output without the file and line t.Log puts before it
// ("    file_test.go:12: message" gives "message").
func logMessage(line string) string {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, ".go:"); i >= 0 {
		if j := strings.Index(t[i+4:], ": "); j >= 0 {
			return t[i+4+j+2:]
		}
	}
	return t
}

// skipReason is what a skipped test said: its output without the framework's own lines.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		parts = append(parts, logMessage(t))
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}
