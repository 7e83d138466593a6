package functions

import (
	"fmt"
	"strings"
	"time"

	"github.com/sluicedb/sluice/types"
)

const (
	msPerDay = int64(86_400_000)
)

func datetimeFunctions() []*Function {
	formatTS := func(a []any) (any, error) {
		ts := int64(a[0].(types.Timestamp))
		return formatMillis(ts, a[1:])
	}
	parseTS := func(a []any) (any, error) {
		ms, err := parseMillis(a)
		if err != nil {
			return nil, err
		}
		return types.Timestamp(ms), nil
	}
	timestampToString := scalar("TIMESTAMPTOSTRING", catDateTime, "Formats a BIGINT millisecond timestamp with a java.time DateTimeFormatter pattern, in UTC or the given time zone.",
		sig(PString, "Formats in UTC.", func(a []any) (any, error) { return formatMillis(a[0].(int64), a[1:]) }, p("epochMilli", PBigint), p("formatPattern", PString)),
		sig(PString, "Formats in the given time zone.", func(a []any) (any, error) { return formatMillis(a[0].(int64), a[1:]) }, p("epochMilli", PBigint), p("formatPattern", PString), p("timeZone", PString)))
	stringToTimestamp := scalar("STRINGTOTIMESTAMP", catDateTime, "Parses a string with a java.time DateTimeFormatter pattern into a BIGINT millisecond timestamp, in UTC or the given time zone.",
		sig(PBigint, "Parses in UTC.", func(a []any) (any, error) { return parseMillis(a) }, p("formattedTimestamp", PString), p("formatPattern", PString)),
		sig(PBigint, "Parses in the given time zone.", func(a []any) (any, error) { return parseMillis(a) }, p("formattedTimestamp", PString), p("formatPattern", PString), p("timeZone", PString)))
	dateToString := scalar("DATETOSTRING", catDateTime, "Formats an INTEGER count of days since the epoch with a java.time DateTimeFormatter pattern.",
		sig(PString, "Formats the date.", func(a []any) (any, error) { return formatDays(int64(a[0].(int32)), a[1].(string)) }, p("epochDays", PInt), p("formatPattern", PString)))
	stringToDate := scalar("STRINGTODATE", catDateTime, "Parses a string with a java.time DateTimeFormatter pattern into an INTEGER count of days since the epoch.",
		sig(PInt, "Parses the date.", func(a []any) (any, error) {
			d, err := parseDays(a[0].(string), a[1].(string))
			return int32(d), err
		}, p("formattedDate", PString), p("formatPattern", PString)))
	for _, f := range []*Function{timestampToString, stringToTimestamp, dateToString, stringToDate} {
		f.Deprecated = map[string]string{"TIMESTAMPTOSTRING": "FORMAT_TIMESTAMP", "STRINGTOTIMESTAMP": "PARSE_TIMESTAMP",
			"DATETOSTRING": "FORMAT_DATE", "STRINGTODATE": "PARSE_DATE"}[f.Name]
		f.Description += " Deprecated: use " + f.Deprecated + "."
	}
	return []*Function{
		scalar("FORMAT_TIMESTAMP", catDateTime, "Formats a TIMESTAMP with a java.time DateTimeFormatter pattern, in UTC or the given time zone.",
			sig(PString, "Formats in UTC.", formatTS, p("timestamp", PTimestamp), p("formatPattern", PString)),
			sig(PString, "Formats in the given time zone.", formatTS, p("timestamp", PTimestamp), p("formatPattern", PString), p("timeZone", PString))),
		scalar("PARSE_TIMESTAMP", catDateTime, "Parses a string with a java.time DateTimeFormatter pattern into a TIMESTAMP, in UTC or the given time zone.",
			sig(PTimestamp, "Parses in UTC.", parseTS, p("formattedTimestamp", PString), p("formatPattern", PString)),
			sig(PTimestamp, "Parses in the given time zone.", parseTS, p("formattedTimestamp", PString), p("formatPattern", PString), p("timeZone", PString))),
		scalar("FORMAT_DATE", catDateTime, "Formats a DATE with a java.time DateTimeFormatter pattern.",
			sig(PString, "Formats the date.", func(a []any) (any, error) { return formatDays(int64(a[0].(types.Date)), a[1].(string)) }, p("date", PDate), p("formatPattern", PString))),
		scalar("PARSE_DATE", catDateTime, "Parses a string with a java.time DateTimeFormatter pattern into a DATE.",
			sig(PDate, "Parses the date.", func(a []any) (any, error) {
				d, err := parseDays(a[0].(string), a[1].(string))
				return types.Date(d), err
			}, p("formattedDate", PString), p("formatPattern", PString))),
		scalar("FORMAT_TIME", catDateTime, "Formats a TIME with a java.time DateTimeFormatter pattern.",
			sig(PString, "Formats the time.", func(a []any) (any, error) {
				pat, err := compileDateTimePattern(a[1].(string))
				if err != nil {
					return nil, err
				}
				return pat.format(time.UnixMilli(int64(a[0].(types.Time))).UTC(), dtTimeOnly)
			}, p("time", PTime), p("formatPattern", PString))),
		scalar("PARSE_TIME", catDateTime, "Parses a string with a java.time DateTimeFormatter pattern into a TIME.",
			sig(PTime, "Parses the time.", func(a []any) (any, error) {
				pat, err := compileDateTimePattern(a[1].(string))
				if err != nil {
					return nil, err
				}
				if err := onlyFields(pat.tokens, dtTimeOnly, pat.src); err != nil {
					return nil, err
				}
				t, err := pat.parse(a[0].(string), time.UTC)
				if err != nil {
					return nil, err
				}
				ms := t.UnixMilli() % msPerDay
				return types.Time(ms), nil
			}, p("formattedTime", PString), p("formatPattern", PString))),
		scalar("CONVERT_TZ", catDateTime, "Converts a TIMESTAMP holding local time in from_timezone to local time in to_timezone.",
			sig(PTimestamp, "Shifts the timestamp between zones.", func(a []any) (any, error) {
				from, err := loadZone(a[1].(string))
				if err != nil {
					return nil, err
				}
				to, err := loadZone(a[2].(string))
				if err != nil {
					return nil, err
				}
				ms := int64(a[0].(types.Timestamp))
				local := time.UnixMilli(ms).UTC()
				inFrom := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), from)
				inTo := inFrom.In(to)
				_, off := inTo.Zone()
				return types.Timestamp(inTo.UnixMilli() + int64(off)*1000), nil
			}, p("timestamp", PTimestamp), p("fromTimeZone", PString), p("toTimeZone", PString))),
		scalar("FROM_UNIXTIME", catDateTime, "Converts a BIGINT millisecond timestamp to a TIMESTAMP.",
			sig(PTimestamp, "Converts milliseconds since the epoch.", func(a []any) (any, error) { return types.Timestamp(a[0].(int64)), nil }, p("epochMilli", PBigint))),
		scalar("FROM_DAYS", catDateTime, "Converts an INTEGER count of days since the epoch to a DATE.",
			sig(PDate, "Converts days since the epoch.", func(a []any) (any, error) { return types.Date(a[0].(int32)), nil }, p("days", PInt))),
		scalar("UNIX_TIMESTAMP", catDateTime, "Returns a TIMESTAMP, or the current time, as BIGINT milliseconds since the epoch.",
			sig(PBigint, "The current time.", func([]any) (any, error) { return time.Now().UnixMilli(), nil }),
			sig(PBigint, "The given timestamp.", func(a []any) (any, error) { return int64(a[0].(types.Timestamp)), nil }, p("timestamp", PTimestamp))),
		scalar("UNIX_DATE", catDateTime, "Returns a DATE, or the current date, as INTEGER days since the epoch.",
			sig(PInt, "The current date (UTC).", func([]any) (any, error) { return int32(time.Now().UnixMilli() / msPerDay), nil }),
			sig(PInt, "The given date.", func(a []any) (any, error) { return int32(a[0].(types.Date)), nil }, p("date", PDate))),
		intervalFn("DATEADD", "Adds an interval to a DATE; units smaller than a day are truncated to whole days.", PDate, 1),
		intervalFn("DATESUB", "Subtracts an interval from a DATE; units smaller than a day are truncated to whole days.", PDate, -1),
		intervalFn("TIMEADD", "Adds an interval to a TIME, wrapping around midnight.", PTime, 1),
		intervalFn("TIMESUB", "Subtracts an interval from a TIME, wrapping around midnight.", PTime, -1),
		intervalFn("TIMESTAMPADD", "Adds an interval to a TIMESTAMP.", PTimestamp, 1),
		intervalFn("TIMESTAMPSUB", "Subtracts an interval from a TIMESTAMP.", PTimestamp, -1),
		timestampToString, stringToTimestamp, dateToString, stringToDate,
	}
}

// zoneArg returns the optional time zone argument at a[i], UTC if absent.
func zoneArg(a []any, i int) (*time.Location, error) {
	if len(a) <= i {
		return time.UTC, nil
	}
	return loadZone(a[i].(string))
}

// formatMillis formats epoch milliseconds; rest is (pattern[, zone]).
func formatMillis(ms int64, rest []any) (any, error) {
	pat, err := compileDateTimePattern(rest[0].(string))
	if err != nil {
		return nil, err
	}
	loc, err := zoneArg(rest, 1)
	if err != nil {
		return nil, err
	}
	return pat.format(time.UnixMilli(ms).In(loc), dtDateTime)
}

// parseMillis parses (text, pattern[, zone]) to epoch milliseconds.
func parseMillis(a []any) (int64, error) {
	pat, err := compileDateTimePattern(a[1].(string))
	if err != nil {
		return 0, err
	}
	loc, err := zoneArg(a, 2)
	if err != nil {
		return 0, err
	}
	t, err := pat.parse(a[0].(string), loc)
	if err != nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

func formatDays(days int64, pattern string) (any, error) {
	pat, err := compileDateTimePattern(pattern)
	if err != nil {
		return nil, err
	}
	return pat.format(time.UnixMilli(days*msPerDay).UTC(), dtDateOnly)
}

func parseDays(s, pattern string) (int64, error) {
	pat, err := compileDateTimePattern(pattern)
	if err != nil {
		return 0, err
	}
	if err := onlyFields(pat.tokens, dtDateOnly, pattern); err != nil {
		return 0, err
	}
	t, err := pat.parsePrefix(s, time.UTC)
	if err != nil {
		return 0, err
	}
	return floorDiv(t.UnixMilli(), msPerDay), nil
}

// onlyFields rejects patterns with fields the target type lacks, as Java
// does when it resolves a LocalDate or LocalTime.
func onlyFields(toks []dtToken, kind dtKind, src string) error {
	for _, tk := range toks {
		if tk.optional != nil {
			if err := onlyFields(tk.optional, kind, src); err != nil {
				return err
			}
		}
		if tk.letter != 0 && !kind.allows(tk.letter) {
			return fmt.Errorf("functions: unsupported field '%c' in pattern %q for this type", tk.letter, src)
		}
	}
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// unitMillis returns the length of one interval unit in milliseconds. The
// parser passes the unit keyword as its name (DAYS, HOURS, ...).
func unitMillis(unit string) (int64, error) {
	switch strings.ToUpper(unit) {
	case "MILLISECOND", "MILLISECONDS":
		return 1, nil
	case "SECOND", "SECONDS":
		return 1000, nil
	case "MINUTE", "MINUTES":
		return 60_000, nil
	case "HOUR", "HOURS":
		return 3_600_000, nil
	case "DAY", "DAYS":
		return msPerDay, nil
	case "MICROSECOND", "MICROSECONDS", "NANOSECOND", "NANOSECONDS":
		return 0, nil
	}
	return 0, fmt.Errorf("functions: unknown time unit %q", unit)
}

// intervalFn declares the *ADD/*SUB functions: (unit, interval, value).
func intervalFn(name, description string, target *Pattern, dir int64) *Function {
	eval := func(a []any) (any, error) {
		if a[0] == nil || a[1] == nil || a[2] == nil {
			return nil, nil
		}
		unit := a[0].(string)
		per, err := unitMillis(unit)
		if err != nil {
			return nil, err
		}
		n, _ := asInt64(a[1])
		var delta int64
		switch strings.ToUpper(unit) {
		case "MICROSECOND", "MICROSECONDS":
			delta = n / 1000
		case "NANOSECOND", "NANOSECONDS":
			delta = n / 1_000_000
		default:
			delta = n * per
		}
		delta *= dir
		switch v := a[2].(type) {
		case types.Date:
			return types.Date(int64(v) + delta/msPerDay), nil
		case types.Time:
			ms := (int64(v) + delta%msPerDay + msPerDay) % msPerDay
			return types.Time(ms), nil
		case types.Timestamp:
			return types.Timestamp(int64(v) + delta), nil
		}
		return nil, fmt.Errorf("functions: %s: unexpected %T", name, a[2])
	}
	return scalar(name, catDateTime, description+" The unit is one of MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS.",
		nullable(sig(target, "Interval in the given unit.", eval, p("unit", PString), p("interval", PInt), p("value", target))),
		nullable(sig(target, "BIGINT interval in the given unit.", eval, p("unit", PString), p("interval", PBigint), p("value", target))))
}

// TakesTimeUnit reports whether the named function's first argument is a
// time unit keyword (DATEADD(DAYS, 3, d)). The parser sees DAYS as an
// identifier; the planner passes it to the function as the STRING literal
// of its name, which is what these functions' first parameter expects.
func TakesTimeUnit(name string) bool {
	switch strings.ToUpper(name) {
	case "DATEADD", "DATESUB", "TIMEADD", "TIMESUB", "TIMESTAMPADD", "TIMESTAMPSUB":
		return true
	}
	return false
}
