package functions

import (
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/types"
)

func TestDateTimeFunctions(t *testing.T) {
	ts := types.Timestamp(1526075913000) // 2018-05-11T21:58:33Z
	runScalarCases(t, []scalarCase{
		// FORMAT_* with java.time patterns.
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd HH:mm:ss"), want: "2018-05-11 21:58:33"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd HH:mm:ss zzz", "America/Los_Angeles"), want: "2018-05-11 14:58:33 PDT"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd HH:mm:ss zzz", "Europe/London"), want: "2018-05-11 22:58:33 BST"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "+05:30"), want: "2018-05-12T03:28:33.000+05:30"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd'T'HH:mm:ssX"), want: "2018-05-11T21:58:33Z"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "EEE, d MMM yyyy h:mm a Z", "PST"), want: "Fri, 11 May 2018 2:58 PM -0700"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "EEEE MMMM D yy"), want: "Friday May 131 18"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "''yyyy''"), want: "'2018'"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd", "Mars/Olympus"), err: "unknown time zone"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-MM-dd 'unterminated"), err: "unterminated quote"},
		{fn: "FORMAT_TIMESTAMP", args: arr(ts, "yyyy-bb"), err: "unknown pattern letter"},
		{fn: "FORMAT_DATE", args: arr(types.Date(17662), "yyyy-MM-dd"), want: "2018-05-11"},
		{fn: "FORMAT_DATE", args: arr(types.Date(18993), "dd-MMM-yyyy"), want: "01-Jan-2022"},
		{fn: "FORMAT_DATE", args: arr(types.Date(-1), "dd-MM-yyyy'Sophia'"), want: "31-12-1969Sophia"},
		{fn: "FORMAT_DATE", args: arr(types.Date(0), "yyyy-MM-dd HH"), err: "unsupported field"},
		{fn: "FORMAT_TIME", args: arr(types.Time(65000), "HH_mm_ss_SSS"), want: "00_01_05_000"},
		{fn: "FORMAT_TIME", args: arr(types.Time(1234567), "HHmmss'AAAAA'"), want: "002034AAAAA"},
		{fn: "FORMAT_TIME", args: arr(types.Time(0), "yyyy"), err: "unsupported field"},
		// PARSE_*: case-insensitive, missing fields default to the epoch.
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11T21:58:33", "yyyy-MM-dd'T'HH:mm:ss"), want: ts},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11T21:58:33 PST", "yyyy-MM-dd'T'HH:mm:ss zzz"), want: types.Timestamp(1526101113000)},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11 14:58:33", "yyyy-MM-dd HH:mm:ss", "America/Los_Angeles"), want: ts},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11T21:58:33.5+0100", "yyyy-MM-dd'T'HH:mm:ss.SZ"), want: types.Timestamp(1526072313500)},
		{fn: "PARSE_TIMESTAMP", args: arr("20180511215833", "yyyyMMddHHmmss"), want: ts},
		{fn: "PARSE_TIMESTAMP", args: arr("10-04-19 12:00:17Z", "yy-MM-dd HH:mm:ssX"), want: types.Timestamp(1271678417000)},
		{fn: "PARSE_TIMESTAMP", args: arr("!!!!!!!!!!!!!!!!!", "yy-MM-dd HH:mm:ssX"), err: "could not be parsed"},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11", "yyyy-MM-dd[ HH:mm]"), want: types.Timestamp(1525996800000)},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11 01:02", "yyyy-MM-dd[ HH:mm]"), want: types.Timestamp(1525996800000 + 3720000)},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-02-30", "yyyy-MM-dd"), err: "invalid date"},
		{fn: "PARSE_TIMESTAMP", args: arr("2018-05-11x", "yyyy-MM-dd"), err: "unparsed text"},
		{fn: "PARSE_TIMESTAMP", args: arr("nope", "yyyy-MM-dd"), err: "could not be parsed"},
		{fn: "PARSE_DATE", args: arr("2018-05-11Lit", "yyyy-MM-dd'Lit'"), want: types.Date(17662)},
		{fn: "PARSE_DATE", args: arr("01-JAN-2022", "dd-MMM-yyyy"), want: types.Date(18993)},
		{fn: "PARSE_DATE", args: arr("JAN-2022", "MMM-yyyy"), want: types.Date(18993)},
		{fn: "PARSE_DATE", args: arr("01-01-1969", "dd-MM-yyyy"), want: types.Date(-365)},
		// ksqlDB's PARSE_DATE reads what the pattern covers and ignores the rest.
		{fn: "PARSE_DATE", args: arr("2003-12-24-01-01", "yyyy-MM-dd"), want: types.Date(12410)},
		{fn: "PARSE_DATE", args: arr("2004", "yyyy-MM-dd"), err: "could not be parsed"},
		{fn: "PARSE_DATE", args: arr("12:00", "HH:mm"), err: "unsupported field"},
		{fn: "PARSE_TIME", args: arr("00:01:05Lit", "HH:mm:ss'Lit'"), want: types.Time(65000)},
		{fn: "PARSE_TIME", args: arr("11/05/19", "HH/mm/ss"), want: types.Time(39919000)},
		{fn: "PARSE_TIME", args: arr("01:00:00 Pm", "hh:mm:ss a"), want: types.Time(46800000)},
		{fn: "PARSE_TIME", args: arr("12:00:00 AM", "hh:mm:ss a"), want: types.Time(0)},
		// Deprecated BIGINT / INTEGER forms.
		{fn: "TIMESTAMPTOSTRING", args: arr(int64(1526075913000), "yyyy-MM-dd HH:mm:ss zzz", "America/Los_Angeles"), want: "2018-05-11 14:58:33 PDT"},
		{fn: "STRINGTOTIMESTAMP", args: arr("2018-05-11T21:58:33Z", "yyyy-MM-dd'T'HH:mm:ssX"), want: int64(1526075913000)},
		{fn: "STRINGTOTIMESTAMP", args: arr("2020-05-11T21:58:33z", "yyyy-MM-dd'T'HH:mm:ssX"), want: int64(1589234313000)},
		{fn: "DATETOSTRING", args: arr(int32(18027), "dd/MM/yyyy"), want: "11/05/2019"},
		{fn: "STRINGTODATE", args: arr("01-01-1970", "dd-MM-yyyy"), want: int32(0)},
		// Conversions and arithmetic.
		{fn: "CONVERT_TZ", args: arr(types.Timestamp(100), "+0200", "+0500"), want: types.Timestamp(10800100)},
		{fn: "CONVERT_TZ", args: arr(types.Timestamp(1589234313000), "America/Los_Angeles", "America/New_York"), want: types.Timestamp(1589245113000)},
		{fn: "FROM_UNIXTIME", args: arr(int64(10)), want: types.Timestamp(10)},
		{fn: "FROM_DAYS", args: arr(int32(3)), want: types.Date(3)},
		{fn: "UNIX_TIMESTAMP", args: arr(types.Timestamp(42)), want: int64(42)},
		{fn: "UNIX_DATE", args: arr(types.Date(42)), want: int32(42)},
		{fn: "DATEADD", args: arr("DAYS", int32(3), types.Date(10)), want: types.Date(13)},
		{fn: "DATEADD", args: arr("HOURS", int32(49), types.Date(10)), want: types.Date(12)},
		{fn: "DATESUB", args: arr("DAYS", int32(3), types.Date(10)), want: types.Date(7)},
		{fn: "DATEADD", args: arr("DAYS", tnull(types.IntegerType), types.Date(10)), want: nil},
		{fn: "TIMEADD", args: arr("HOURS", int32(2), types.Time(23*3600000)), want: types.Time(3600000)},
		{fn: "TIMESUB", args: arr("MINUTES", int32(1), types.Time(0)), want: types.Time(86400000 - 60000)},
		{fn: "TIMESTAMPADD", args: arr("MILLISECONDS", int32(5), types.Timestamp(10)), want: types.Timestamp(15)},
		{fn: "TIMESTAMPSUB", args: arr("SECONDS", int64(1), types.Timestamp(1000)), want: types.Timestamp(0)},
		{fn: "TIMESTAMPADD", args: arr("FORTNIGHTS", int32(1), types.Timestamp(0)), err: "unknown time unit"},
	})
	for _, fn := range []string{"UNIX_TIMESTAMP", "UNIX_DATE"} {
		before := time.Now().UnixMilli()
		v, err := eval(t, fn)
		if err != nil {
			t.Fatal(err)
		}
		var ms int64
		switch x := v.(type) {
		case int64:
			ms = x
		case int32:
			ms = int64(x) * msPerDay
			before = before / msPerDay * msPerDay
		}
		if ms < before || ms > time.Now().UnixMilli() {
			t.Errorf("%s() = %v, not now", fn, v)
		}
	}
}

// TestDateTimeRoundTrip formats random instants with several patterns and
// parses them back.
func TestDateTimeRoundTrip(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	patterns := []struct {
		pattern string
		unit    int64
	}{
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", 1},
		{"yyyyMMddHHmmssSSS", 1},
		{"dd MMM yyyy hh:mm:ss a", 1000},
		{"D yyyy HH:mm", 60000},
	}
	x := uint64(seed)
	for i := 0; i < 500; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		ms := int64(x%(4_000_000_000_000)) - 1_000_000_000_000
		for _, p := range patterns {
			want := ms - ((ms%p.unit)+p.unit)%p.unit
			s, err := eval(t, "FORMAT_TIMESTAMP", types.Timestamp(want), p.pattern, "Asia/Kolkata")
			if err != nil {
				t.Fatal(err)
			}
			got, err := eval(t, "PARSE_TIMESTAMP", s, p.pattern, "Asia/Kolkata")
			if err != nil || got != types.Timestamp(want) {
				t.Fatalf("seed %d: %s with %q parsed to %v (%v), want %d", seed, s, p.pattern, got, err, want)
			}
		}
	}
}

// TestPatternLetters checks each supported pattern letter against what
// java.time.format.DateTimeFormatter prints for 2018-05-11T23:58:33.123
// in Europe/Paris (+02:00, a Friday) and in UTC.
func TestPatternLetters(t *testing.T) {
	ts := types.Timestamp(1526075913123)
	cases := []struct{ pattern, zone, want string }{
		{"G GGGG", "Europe/Paris", "AD Anno Domini"},
		{"y yy yyyy u uuuu", "Europe/Paris", "2018 18 2018 2018 2018"},
		{"M MM MMM MMMM MMMMM L", "Europe/Paris", "5 05 May May M 5"},
		{"d dd D DDD", "Europe/Paris", "11 11 131 131"},
		{"Q QQ QQQ QQQQ", "Europe/Paris", "2 02 Q2 2nd quarter"},
		{"E EEE EEEE EEEEE e", "Europe/Paris", "Fri Fri Friday F 6"},
		{"a h hh K k H HH", "Europe/Paris", "PM 11 11 11 23 23 23"},
		{"a h K k H", "UTC", "PM 9 9 21 21"},
		{"m mm s ss", "Europe/Paris", "58 58 33 33"},
		{"S SS SSS SSSSSS", "Europe/Paris", "1 12 123 123000"},
		{"A n", "UTC", "79113123 123000000"},
		{"VV z", "Europe/Paris", "Europe/Paris CEST"},
		{"O OOOO", "Europe/Paris", "GMT+2 GMT+02:00"},
		{"O OOOO", "UTC", "GMT GMT"},
		{"O", "Asia/Kolkata", "GMT+5:30"},
		{"X XX XXX x xx xxx", "Europe/Paris", "+02 +0200 +02:00 +02 +0200 +02:00"},
		{"X XX XXX x xx xxx", "UTC", "Z Z Z +00 +0000 +00:00"},
		{"X", "Asia/Kolkata", "+0530"},
		{"Z ZZZZ ZZZZZ", "Europe/Paris", "+0200 GMT+02:00 +02:00"},
		{"Z ZZZZ ZZZZZ", "UTC", "+0000 GMT Z"},
		{"Z", "America/New_York", "-0400"},
		{"'quoted ''text''' yyyy", "UTC", "quoted 'text' 2018"},
		{"yyyy[ 'at' HH]", "UTC", "2018 at 21"},
	}
	for _, c := range cases {
		got, err := eval(t, "FORMAT_TIMESTAMP", ts, c.pattern, c.zone)
		if err != nil || got != c.want {
			t.Errorf("FORMAT_TIMESTAMP(%q, %s) = %q, %v; want %q", c.pattern, c.zone, got, err, c.want)
		}
	}
}

func TestTakesTimeUnit(t *testing.T) {
	for _, f := range Builtins().Functions() {
		want := len(f.Signatures) > 0 && len(f.Signatures[0].Params) == 3 && f.Signatures[0].Params[0].Name == "unit"
		if TakesTimeUnit(strings.ToLower(f.Name)) != want {
			t.Errorf("TakesTimeUnit(%s) = %v", f.Name, !want)
		}
	}
}
