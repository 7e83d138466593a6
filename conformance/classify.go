package conformance

import (
	"regexp"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
)

// notImplementedFormats are ksqlDB formats Sluice does not have yet; a test
// that needs one is a SKIP.
var notImplementedFormats = []string{"AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR"}

// missingFormat returns the first not-yet-implemented format the test uses.
func missingFormat(t *Test) string {
	for _, name := range usedFormats(t) {
		for _, n := range notImplementedFormats {
			if name == n {
				if _, err := format.Lookup(name); err != nil {
					return name
				}
			}
		}
	}
	return ""
}

var formatProp = regexp.MustCompile(`(?i)\b(?:KEY_FORMAT|VALUE_FORMAT|FORMAT)\s*=\s*'([A-Za-z_]+)'`)

// usedFormats lists the formats a test names: its expansion format, the
// formats in WITH clauses, the default-format properties and the formats of
// its pre-declared topics.
func usedFormats(t *Test) []string {
	var out []string
	if t.Format != "" {
		out = append(out, strings.ToUpper(t.Format))
	}
	for _, s := range t.Statements {
		for _, m := range formatProp.FindAllStringSubmatch(s, -1) {
			out = append(out, strings.ToUpper(m[1]))
		}
	}
	for k, v := range t.Properties {
		if strings.HasPrefix(k, "ksql.persistence.default.format.") && v != "" {
			out = append(out, strings.ToUpper(v))
		}
	}
	if d, err := decodeCase(t.Case); err == nil {
		for _, tp := range d.Topics {
			for _, f := range []string{tp.KeyFormat, tp.ValueFormat, tp.Format} {
				if f != "" {
					out = append(out, strings.ToUpper(f))
				}
			}
		}
	}
	return out
}

var (
	joinRe      = regexp.MustCompile(`(?i)\bJOIN\b`)
	windowRe    = regexp.MustCompile(`(?i)\bWINDOW(START|END)?\b|\bWINDOW_TYPE\b`)
	aggregateRe = regexp.MustCompile(`(?i)\bGROUP\s+BY\b|\bHAVING\b`)
)

// aggregateCallRe matches a call of any aggregate function, built-in or
// test-only (an aggregate without GROUP BY is still about aggregation).
var aggregateCallRe = sync.OnceValue(func() *regexp.Regexp {
	names := []string{}
	reg, err := TestFunctions()
	if err != nil {
		return regexp.MustCompile(`$^`)
	}
	for _, f := range reg.Functions() {
		if f.Kind == functions.Aggregate {
			names = append(names, regexp.QuoteMeta(f.Name))
		}
	}
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(names, "|") + `)\s*\(`)
})

// classify says whether the test is free of windows, joins and
// aggregation, and whether it uses only the core formats. It reads the
// statement text, which is enough for the keywords and calls involved.
func classify(t *Test) (stateless, core bool) {
	stateless = true
	for _, s := range t.Statements {
		if joinRe.MatchString(s) || windowRe.MatchString(s) || aggregateRe.MatchString(s) || aggregateCallRe().MatchString(s) {
			stateless = false
		}
	}
	core = true
	for _, f := range usedFormats(t) {
		switch f {
		case format.JSON, format.Delimited, format.Kafka, format.None:
		default:
			core = false
		}
	}
	return stateless, core
}
