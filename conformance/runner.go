package conformance

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Outcome is the verdict on one test.
type Outcome string

// The outcomes.
const (
	Pass Outcome = "PASS"
	Fail Outcome = "FAIL"
	Skip Outcome = "SKIP"
)

// Kinds classify results beyond the outcome, so reports can count why
// tests fail or skip.
const (
	// KindRejectedOther: a case expecting an error saw a statement
	// rejected, but with another message.
	KindRejectedOther = "rejected-other-message"
	// KindAccepted: a case expecting an error saw every statement accepted.
	KindAccepted = "accepted"
	// KindRejected: a statement of a case expecting no error was rejected.
	KindRejected = "rejected"
	// KindOutput: the output topics differ from the expected records.
	KindOutput = "output"
	// KindPost: a post-condition does not hold.
	KindPost = "post"
	// KindTimeout: the test ran out of time.
	KindTimeout = "timeout"
	// KindPanic: the test panicked.
	KindPanic = "panic"
	// KindHarness: the runner could not set the test up (a bad case file,
	// a log error).
	KindHarness = "harness"
	// KindUnsupported: the engine reports the feature as not built yet.
	KindUnsupported = "unsupported"
	// KindFormat: the test uses a format not implemented yet.
	KindFormat = "format"
	// KindDisabled: the corpus disables the case.
	KindDisabled = "disabled"
	// KindREST: an RQTT case whose REST responses the runner does not check.
	KindREST = "rest"
)

// Result is the verdict on one test.
type Result struct {
	Name    string  `json:"name"`
	File    string  `json:"file"`
	Case    string  `json:"case"`
	Format  string  `json:"format,omitempty"`
	Outcome Outcome `json:"outcome"`
	Kind    string  `json:"kind,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	// Stateless is true when the statements use no windows, joins or
	// aggregation; CoreFormats when they use only JSON, DELIMITED, KAFKA
	// (and NONE). The rate is over tests with both.
	Stateless   bool  `json:"stateless"`
	CoreFormats bool  `json:"core_formats"`
	Millis      int64 `json:"ms"`
}

// Line is the one-line report of the result.
func (r *Result) Line() string {
	reason := strings.ReplaceAll(r.Reason, "\n", " | ")
	if reason == "" {
		return fmt.Sprintf("%s %s", r.Outcome, r.Name)
	}
	return fmt.Sprintf("%s %s: %s", r.Outcome, r.Name, reason)
}

// Options configure Run.
type Options struct {
	// Open starts an engine per test; OpenEngine is the real one.
	Open Opener
	// Parallel is the number of tests run at once; default GOMAXPROCS.
	Parallel int
	// Timeout bounds one test; default 60s.
	Timeout time.Duration
	// Run, when set, selects tests whose full name it matches.
	Run *regexp.Regexp
	// TempDir is where test directories are made; default /dev/shm when
	// it is writable (the log then never touches a disk), else os.TempDir.
	TempDir string
	// Report, when set, receives every result in test order, as soon as it
	// and all the results before it are known.
	Report func(*Result)
}

// Filter returns the tests the pattern selects (all for a nil pattern).
func Filter(tests []*Test, re *regexp.Regexp) []*Test {
	if re == nil {
		return tests
	}
	var out []*Test
	for _, t := range tests {
		if re.MatchString(t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// Run runs the tests in parallel and returns their results in test order.
// A test that panics or times out is a FAIL; Run itself never panics for a
// test's sake.
func Run(ctx context.Context, tests []*Test, opts Options) []*Result {
	tests = Filter(tests, opts.Run)
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.TempDir == "" {
		opts.TempDir = defaultTempDir()
	}
	results := make([]*Result, len(tests))
	done := make([]chan struct{}, len(tests))
	for i := range done {
		done[i] = make(chan struct{})
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < opts.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = runGuarded(ctx, tests[i], opts)
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range tests {
			work <- i
		}
		close(work)
	}()
	for i := range tests {
		<-done[i]
		if opts.Report != nil {
			opts.Report(results[i])
		}
	}
	wg.Wait()
	return results
}

func defaultTempDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "sluice-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// runGuarded runs one test in its own goroutine so that a panic becomes a
// FAIL with the stack and a test stuck past its timeout is abandoned
// (reported as a FAIL) while the runner goes on.
func runGuarded(ctx context.Context, t *Test, opts Options) *Result {
	start := time.Now()
	res := newResult(t)
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	ch := make(chan *Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r := newResult(t)
				r.fail(KindPanic, fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
				ch <- r
			}
		}()
		r := newResult(t)
		runTest(ctx, t, opts, r)
		ch <- r
	}()
	select {
	case r := <-ch:
		res = r
	case <-ctx.Done():
		// Give the test a moment to report its own, more precise failure.
		select {
		case r := <-ch:
			res = r
		case <-time.After(2 * time.Second):
			res.fail(KindTimeout, fmt.Sprintf("timed out after %s", opts.Timeout))
		}
	}
	res.Millis = time.Since(start).Milliseconds()
	return res
}

func newResult(t *Test) *Result {
	r := &Result{Name: t.Name, File: t.File.Label(), Case: t.Case.Name, Format: t.Format}
	r.Stateless, r.CoreFormats = classify(t)
	return r
}

func (r *Result) fail(kind, reason string) {
	r.Outcome, r.Kind, r.Reason = Fail, kind, reason
}

func (r *Result) skip(kind, reason string) {
	r.Outcome, r.Kind, r.Reason = Skip, kind, reason
}
