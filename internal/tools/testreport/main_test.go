package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	const events = `{"Action":"start","Package":"example.com/p"}
{"Action":"run","Package":"example.com/p","Test":"TestOK"}
{"Action":"output","Package":"example.com/p","Test":"TestOK","Output":"=== RUN   TestOK\n"}
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
		"want 2, got 3", "FAIL\texample.com/p\t1.5s", "?   \texample.com/q\t[no test files]",
		"3 tests, 1 skipped:", "SKIP example.com/p TestNeedsTofu: skipped: runs OpenTofu; set DTCLUSTER_TOFU_PATH",
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

	failed, err = report(strings.NewReader(`{"Action":"pass","Package":"example.com/p","Elapsed":1}`+"\n"), &out)
	if err != nil || failed {
		t.Errorf("a passing package: failed %v, %v", failed, err)
	}
}
