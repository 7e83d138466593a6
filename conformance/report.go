package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Summary counts results.
type Summary struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	// RejectedOther counts FAILs of cases expecting an error whose
	// statement was rejected with another message.
	RejectedOther int `json:"rejected_other_message"`
	// Core counts the tests with no windows, joins or aggregation that use
	// only JSON, DELIMITED and KAFKA; CorePassed how many of them pass.
	Core        int `json:"core"`
	CorePassed  int `json:"core_passed"`
	CoreFailed  int `json:"core_failed"`
	CoreSkipped int `json:"core_skipped"`
}

// Summarize counts the results.
func Summarize(results []*Result) Summary {
	var s Summary
	for _, r := range results {
		core := r.Stateless && r.CoreFormats
		if core {
			s.Core++
		}
		switch r.Outcome {
		case Pass:
			s.Passed++
			if core {
				s.CorePassed++
			}
		case Fail:
			s.Failed++
			if core {
				s.CoreFailed++
			}
			if r.Kind == KindRejectedOther {
				s.RejectedOther++
			}
		default:
			s.Skipped++
			if core {
				s.CoreSkipped++
			}
		}
	}
	return s
}

// Line is the final line of a run, exactly `N passed, M failed, K skipped`.
func (s Summary) Line() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// CoreRate is the pass rate among the core tests (no windows, joins or
// aggregation; JSON/DELIMITED/KAFKA), in percent.
func (s Summary) CoreRate() float64 { return pct(s.CorePassed, s.Core) }

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Report is the machine-readable form of a run (--json).
type Report struct {
	Summary Summary   `json:"summary"`
	Results []*Result `json:"results"`
}

// WriteJSON writes the results as a Report.
func WriteJSON(path string, results []*Result) error {
	b, err := json.MarshalIndent(Report{Summary: Summarize(results), Results: results}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadJSON reads a Report written by WriteJSON.
func ReadJSON(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", path, err)
	}
	return &r, nil
}

// Cause is a group of FAILs (or SKIPs) with a common reason.
type Cause struct {
	Reason string
	Count  int
	// Example is one test with the reason.
	Example string
}

// Causes groups results of the outcome by their reason with the specifics
// (quoted names, numbers) blanked out, largest group first.
func Causes(results []*Result, outcome Outcome) []Cause {
	groups := map[string]*Cause{}
	for _, r := range results {
		if r.Outcome != outcome {
			continue
		}
		key := generalize(r.Reason)
		if !strings.HasPrefix(key, r.Kind+":") {
			key = r.Kind + ": " + key
		}
		c, ok := groups[key]
		if !ok {
			c = &Cause{Reason: key, Example: r.Name}
			groups[key] = c
		}
		c.Count++
	}
	out := make([]Cause, 0, len(groups))
	for _, c := range groups {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// generalize keeps the shape of a reason: quoted text, record values and
// numbers become placeholders, and it is cut at a reasonable length.
func generalize(reason string) string {
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(reason); i++ {
		c := reason[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
				b.WriteString("…" + string(c))
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
			b.WriteByte(c)
		case c >= '0' && c <= '9':
			b.WriteByte('N')
			for i+1 < len(reason) && reason[i+1] >= '0' && reason[i+1] <= '9' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	for _, cut := range []string{" (got ", "; first extra", "; first missing", " | "} {
		if i := strings.Index(s, cut); i > 0 {
			s = s[:i]
		}
	}
	if len(s) > 140 {
		s = s[:140] + "…"
	}
	return s
}

// WriteText writes the per-test lines and the final line.
func WriteText(w io.Writer, results []*Result) {
	for _, r := range results {
		fmt.Fprintln(w, r.Line())
	}
	fmt.Fprintln(w, Summarize(results).Line())
}
