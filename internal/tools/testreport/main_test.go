package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	const events = `{"Action":"start","Package":"example.com/p"}
{"Action":"run","Package":"example.com/p","Test":"TestOK"}
{"Action":"output","Package":"example.com/p","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example.com/p","Test":"TestOK","Output":"    x_test.go:92: # soak: 200 cycles\n"}
{"Action":"pass","Package":"example.com/p","Test":"TestOK","Elapsed":0.01}
{"Action":"run","Package":"example.com/p","Test":"TestNeedsTofu"}
{"Action":"output","Package":"example.com/p","Test":"TestNeedsTofu","Output":"=== RUN   TestNeedsTofu\n"}
{"Action":"output","Package":"example.com/p","Test":"TestNeedsTofu","Output":"    x_test.go:12: skipped: runs OpenTofu; set DTCLUSTER_TOFU_PATH\n"}
{"Action":"output","Package":"example.com/p","Test":"TestNeedsTofu","Output":"--- SKIP: TestNeedsTofu (0.00s)\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestNeedsTofu"}
{"Action":"run","Package":"example.com/p","Test":"TestBroken"}
{"Action":"output","Package":"example.com/p","Test":"TestBroken","Output":"    x_test.go:20: want 2, got 3\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestBroken"}
{"Action":"fail","Package":"example.com/p","Elapsed":1.5}
{"Action":"skip","Package":"example.com/q"}
`
	var out strings.Builder
	failed, err := report(strings.NewReader(events), &out)
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"want 2, got 3", "FAIL\texample.com/p\t1.5s", "# soak: 200 cycles", "?   \texample.com/q\t[no test files]",
		"3 tests, 1 skipped, 2 failed", "SKIP example.com/p TestNeedsTofu: skipped: runs OpenTofu; set DTCLUSTER_TOFU_PATH",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if !failed {
		t.Error("a failed test did not fail the report")
	}
	if strings.Contains(text, "=== RUN   TestOK") {
		t.Errorf("the output of a passing test was printed:\n%s", text)
	}

	// A failed run's last lines name what failed (the skip list comes before them).
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if tail := strings.Join(lines[len(lines)-3:], "\n"); tail != "FAILED: 2 failed (their output is above):\n  FAIL example.com/p package failed\n  FAIL example.com/p TestBroken" {
		t.Errorf("the report ends with\n%s\nwant the failures", tail)
	}
	if strings.Count(text, "FAIL\texample.com/p") != 1 {
		t.Errorf("the package's FAIL line is printed more than once:\n%s", text)
	}

	out.Reset()
	failed, err = report(strings.NewReader(`{"Action":"pass","Package":"example.com/p","Test":"TestOK"}`+"\n"+`{"Action":"pass","Package":"example.com/p","Elapsed":1}`+"\n"), &out)
	if err != nil || failed {
		t.Errorf("a passing package: failed %v, %v\n%s", failed, err, out.String())
	}
}

// TestReportFailsWhenNoTestRan: a run whose selection matched no test (go test -run with a
// renamed test's old name passes with "no tests to run") fails the report.
func TestReportFailsWhenNoTestRan(t *testing.T) {
	var out strings.Builder
	events := `{"Action":"output","Package":"example.com/p","Output":"testing: warning: no tests to run\n"}` + "\n" +
		`{"Action":"pass","Package":"example.com/p","Elapsed":0.1}` + "\n"
	failed, err := report(strings.NewReader(events), &out)
	if err != nil || !failed || !strings.Contains(out.String(), "FAILED: no test ran") {
		t.Errorf("a run of no test: failed %v, %v\n%s", failed, err, out.String())
	}
}
