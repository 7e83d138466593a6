package functions

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	// The zone database is embedded so named zones work on edge devices
	// without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// This file implements the subset of java.time.format.DateTimeFormatter
// patterns that ksqlDB users write (the FORMAT_*, PARSE_* and deprecated
// *TOSTRING / STRINGTO* functions take them verbatim). Go's reference-time
// layouts cannot express them (no quoting, no day-of-year, no optional
// sections), so patterns are compiled to a token list that both formats
// and parses.

// dtToken is one element of a compiled pattern: a literal or a field
// letter repeated count times. Optional sections are nested.
type dtToken struct {
	lit      string
	letter   byte
	count    int
	optional []dtToken
}

// dtPattern is a compiled pattern.
type dtPattern struct {
	src    string
	tokens []dtToken
}

var dtCache sync.Map // pattern text -> *dtPattern or error

// compileDateTimePattern compiles a DateTimeFormatter pattern, caching the
// result (patterns are almost always literals).
func compileDateTimePattern(src string) (*dtPattern, error) {
	if v, ok := dtCache.Load(src); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*dtPattern), nil
	}
	toks, rest, err := parseDTTokens(src, 0)
	if err == nil && rest != len(src) {
		err = fmt.Errorf("functions: unbalanced ']' in date-time pattern %q", src)
	}
	if err != nil {
		dtCache.Store(src, err)
		return nil, err
	}
	p := &dtPattern{src: src, tokens: toks}
	dtCache.Store(src, p)
	return p, nil
}

const dtLetters = "GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZp"

func parseDTTokens(s string, i int) ([]dtToken, int, error) {
	var toks []dtToken
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, dtToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\'':
			// Quoted literal; '' inside or outside quotes is one quote.
			if i+1 < len(s) && s[i+1] == '\'' {
				lit.WriteByte('\'')
				i += 2
				continue
			}
			j := i + 1
			for {
				if j >= len(s) {
					return nil, 0, fmt.Errorf("functions: unterminated quote in date-time pattern %q", s)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(s[j])
				j++
			}
			i = j + 1
		case c == '[':
			flush()
			sub, next, err := parseDTTokens(s, i+1)
			if err != nil {
				return nil, 0, err
			}
			if next >= len(s) || s[next] != ']' {
				return nil, 0, fmt.Errorf("functions: unterminated '[' in date-time pattern %q", s)
			}
			toks = append(toks, dtToken{optional: sub, count: -1})
			i = next + 1
		case c == ']':
			flush()
			return toks, i, nil
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if !strings.ContainsRune(dtLetters, rune(c)) {
				return nil, 0, fmt.Errorf("functions: unknown pattern letter '%c' in date-time pattern %q", c, s)
			}
			flush()
			j := i
			for j < len(s) && s[j] == c {
				j++
			}
			toks = append(toks, dtToken{letter: c, count: j - i})
			i = j
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return toks, i, nil
}

// dtKind limits which fields a value has, so formatting a DATE with an
// hour pattern fails as it does in Java.
type dtKind uint8

const (
	dtDateTime dtKind = iota
	dtDateOnly
	dtTimeOnly
)

func (k dtKind) allows(letter byte) bool {
	switch k {
	case dtDateOnly:
		return !strings.ContainsRune("aBhKkHmsSAnNVvzOXxZp", rune(letter))
	case dtTimeOnly:
		return !strings.ContainsRune("GuyDMLdQqYwWEecFVvzOXxZ", rune(letter))
	}
	return true
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// format renders t (already in its zone) with the pattern.
func (p *dtPattern) format(t time.Time, kind dtKind) (string, error) {
	var b strings.Builder
	if err := formatTokens(&b, p.tokens, t, kind, p.src); err != nil {
		return "", err
	}
	return b.String(), nil
}

func formatTokens(b *strings.Builder, toks []dtToken, t time.Time, kind dtKind, src string) error {
	for _, tk := range toks {
		if tk.optional != nil || tk.count < 0 {
			var sub strings.Builder
			if err := formatTokens(&sub, tk.optional, t, kind, src); err == nil {
				b.WriteString(sub.String())
			}
			continue
		}
		if tk.letter == 0 {
			b.WriteString(tk.lit)
			continue
		}
		if !kind.allows(tk.letter) {
			return fmt.Errorf("functions: unsupported field '%c' in pattern %q for this type", tk.letter, src)
		}
		n := tk.count
		num := func(v int) { b.WriteString(padNum(v, n)) }
		switch tk.letter {
		case 'G':
			if t.Year() > 0 {
				b.WriteString(map[bool]string{true: "Anno Domini", false: "AD"}[n == 4])
			} else {
				b.WriteString(map[bool]string{true: "Before Christ", false: "BC"}[n == 4])
			}
		case 'y', 'u', 'Y':
			y := t.Year()
			if tk.letter == 'y' && y <= 0 {
				y = 1 - y
			}
			if tk.letter == 'Y' {
				y, _ = t.ISOWeek()
			}
			if n == 2 {
				b.WriteString(padNum(((y%100)+100)%100, 2))
			} else {
				num(y)
			}
		case 'M', 'L':
			switch {
			case n <= 2:
				num(int(t.Month()))
			case n == 3:
				b.WriteString(monthNames[t.Month()-1][:3])
			case n == 4:
				b.WriteString(monthNames[t.Month()-1])
			default:
				b.WriteString(monthNames[t.Month()-1][:1])
			}
		case 'd':
			num(t.Day())
		case 'D':
			num(t.YearDay())
		case 'Q', 'q':
			q := (int(t.Month())-1)/3 + 1
			switch {
			case n <= 2:
				num(q)
			case n == 3:
				b.WriteString("Q" + strconv.Itoa(q))
			default:
				b.WriteString([]string{"1st", "2nd", "3rd", "4th"}[q-1] + " quarter")
			}
		case 'w':
			_, w := t.ISOWeek()
			num(w)
		case 'E':
			if n == 4 {
				b.WriteString(dayNames[t.Weekday()])
			} else if n == 5 {
				b.WriteString(dayNames[t.Weekday()][:1])
			} else {
				b.WriteString(dayNames[t.Weekday()][:3])
			}
		case 'e', 'c':
			// Localized day-of-week; US locale weeks start on Sunday.
			if n <= 2 {
				num(int(t.Weekday()) + 1)
			} else if n == 4 {
				b.WriteString(dayNames[t.Weekday()])
			} else {
				b.WriteString(dayNames[t.Weekday()][:3])
			}
		case 'F':
			num((t.Day()-1)/7 + 1)
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h)
		case 'K':
			num(t.Hour() % 12)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			num(h)
		case 'H':
			num(t.Hour())
		case 'm':
			num(t.Minute())
		case 's':
			num(t.Second())
		case 'S':
			frac := padNum(t.Nanosecond(), 9)
			if n <= 9 {
				b.WriteString(frac[:n])
			} else {
				b.WriteString(frac + strings.Repeat("0", n-9))
			}
		case 'A':
			num(int(t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())) / time.Millisecond))
		case 'n':
			num(t.Nanosecond())
		case 'N':
			num(int(t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()))))
		case 'V':
			b.WriteString(t.Location().String())
		case 'v':
			b.WriteString(t.Location().String())
		case 'z':
			name, _ := t.Zone()
			b.WriteString(name)
		case 'O':
			_, off := t.Zone()
			switch {
			case off == 0:
				b.WriteString("GMT")
			case n == 4:
				b.WriteString("GMT" + hhmm(off, true))
			default:
				b.WriteString("GMT" + shortOffset(off))
			}
		case 'X', 'x', 'Z':
			_, off := t.Zone()
			b.WriteString(offsetText(tk.letter, n, off))
		case 'p':
			// Pad modifier: ignored when formatting.
		}
	}
	return nil
}

// offsetText renders an offset for the X, x and Z letters.
func offsetText(letter byte, n, off int) string {
	if letter == 'Z' {
		switch {
		case n <= 3:
			return hhmm(off, false)
		case n == 4:
			if off == 0 {
				return "GMT"
			}
			return "GMT" + hhmm(off, true)
		default:
			if off == 0 {
				return "Z"
			}
			return hhmm(off, true)
		}
	}
	if letter == 'X' && off == 0 {
		return "Z"
	}
	switch n {
	case 1:
		if off%3600 == 0 {
			return hhmm(off, false)[:3]
		}
		return hhmm(off, false)
	case 2, 4:
		return hhmm(off, false)
	}
	return hhmm(off, true)
}

// hhmm renders an offset as +HHMM, or +HH:MM with colon.
func hhmm(off int, colon bool) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if colon {
		return sign + padNum(h, 2) + ":" + padNum(m, 2)
	}
	return sign + padNum(h, 2) + padNum(m, 2)
}

// shortOffset renders an offset as +H or +H:MM (the O letter).
func shortOffset(off int) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m == 0 {
		return sign + strconv.Itoa(h)
	}
	return sign + strconv.Itoa(h) + ":" + padNum(m, 2)
}

func padNum(v, width int) string {
	s := strconv.Itoa(abs(v))
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if v < 0 {
		return "-" + s
	}
	return s
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// dtFields collects parsed fields; -1 means absent.
type dtFields struct {
	year, month, day, doy        int
	hour, hour12, minute, second int
	nanos                        int
	pm                           int // -1 unknown, 0 AM, 1 PM
	offset                       int
	hasOffset                    bool
	loc                          *time.Location
	twoDigitYear                 bool
	clockHour                    bool
	hourOfDayClock, milliOfDay   int
}

// parse reads s with the pattern. Fields the pattern lacks default to
// 1970-01-01T00:00:00.000 in loc, which is what ksqlDB's parsers do.
func (p *dtPattern) parse(s string, loc *time.Location) (time.Time, error) {
	return p.parseText(s, loc, false)
}

// parsePrefix is parse reading only as much of s as the pattern covers:
// Java's DateTimeFormatter.parse with a ParsePosition, as ksqlDB's
// PARSE_DATE uses it, ignores what follows ('2003-12-24-01-01' with
// 'yyyy-MM-dd' is 2003-12-24).
func (p *dtPattern) parsePrefix(s string, loc *time.Location) (time.Time, error) {
	return p.parseText(s, loc, true)
}

func (p *dtPattern) parseText(s string, loc *time.Location, prefix bool) (time.Time, error) {
	f := dtFields{year: -1, month: -1, day: -1, doy: -1, hour: -1, hour12: -1, minute: -1,
		second: -1, nanos: -1, pm: -1, hourOfDayClock: -1, milliOfDay: -1}
	pos, err := parseTokens(p.tokens, s, 0, &f)
	if err != nil {
		return time.Time{}, fmt.Errorf("functions: text '%s' could not be parsed with pattern %q: %w", s, p.src, err)
	}
	if pos != len(s) && !prefix {
		return time.Time{}, fmt.Errorf("functions: text '%s' could not be parsed with pattern %q, unparsed text found at index %d", s, p.src, pos)
	}
	return f.resolve(loc, s)
}

func (f *dtFields) resolve(loc *time.Location, s string) (time.Time, error) {
	year, month, day := 1970, 1, 1
	if f.year >= 0 || f.twoDigitYear {
		year = f.year
	}
	if f.month >= 0 {
		month = f.month
	}
	if f.day >= 0 {
		day = f.day
	}
	if month < 1 || month > 12 {
		return time.Time{}, fmt.Errorf("functions: text '%s': invalid month %d", s, month)
	}
	if day < 1 || day > 31 {
		return time.Time{}, fmt.Errorf("functions: text '%s': invalid day of month %d", s, day)
	}
	if dim := daysIn(year, month); day > dim {
		return time.Time{}, fmt.Errorf("functions: text '%s': invalid date '%s %d'", s, strings.ToUpper(monthNames[month-1]), day)
	}
	hour := 0
	switch {
	case f.hour >= 0:
		hour = f.hour
	case f.hourOfDayClock >= 0:
		hour = f.hourOfDayClock % 24
	case f.hour12 >= 0:
		hour = f.hour12 % 12
		if f.pm == 1 {
			hour += 12
		}
	}
	if hour > 23 {
		return time.Time{}, fmt.Errorf("functions: text '%s': invalid hour %d", s, hour)
	}
	minute, second, nanos := max(f.minute, 0), max(f.second, 0), max(f.nanos, 0)
	if minute > 59 || second > 59 {
		return time.Time{}, fmt.Errorf("functions: text '%s': invalid time", s)
	}
	if f.loc != nil {
		loc = f.loc
	}
	if f.hasOffset {
		loc = time.FixedZone("", f.offset)
	}
	var t time.Time
	if f.doy >= 0 {
		t = time.Date(year, 1, 1, hour, minute, second, nanos, loc).AddDate(0, 0, f.doy-1)
	} else {
		t = time.Date(year, time.Month(month), day, hour, minute, second, nanos, loc)
	}
	if f.milliOfDay >= 0 {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Add(time.Duration(f.milliOfDay) * time.Millisecond)
	}
	return t, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isNumericLetter(l byte, count int) bool {
	switch l {
	case 'y', 'u', 'Y', 'd', 'D', 'h', 'K', 'k', 'H', 'm', 's', 'S', 'A', 'n', 'N', 'w', 'F':
		return true
	case 'M', 'L', 'e', 'c', 'Q', 'q':
		return count <= 2
	}
	return false
}

func parseTokens(toks []dtToken, s string, pos int, f *dtFields) (int, error) {
	for i, tk := range toks {
		if tk.optional != nil || tk.count < 0 {
			saved := *f
			if np, err := parseTokens(tk.optional, s, pos, f); err == nil {
				pos = np
			} else {
				*f = saved
			}
			continue
		}
		if tk.letter == 0 {
			// ksqlDB builds its parsers case-insensitive: "pm", "JAN" and
			// a lower-case literal all match.
			if len(s)-pos < len(tk.lit) || !strings.EqualFold(s[pos:pos+len(tk.lit)], tk.lit) {
				return pos, fmt.Errorf("expected %q at index %d", tk.lit, pos)
			}
			pos += len(tk.lit)
			continue
		}
		// Adjacent value parsing: a numeric field directly followed by
		// another numeric field takes exactly its width.
		fixed := 0
		if i+1 < len(toks) && toks[i+1].letter != 0 && isNumericLetter(toks[i+1].letter, toks[i+1].count) {
			fixed = tk.count
		}
		var err error
		if pos, err = parseField(tk, s, pos, fixed, f); err != nil {
			return pos, err
		}
	}
	return pos, nil
}

func readNumber(s string, pos, minW, maxW int, signed bool) (int, int, error) {
	start := pos
	neg := false
	if signed && pos < len(s) && (s[pos] == '-' || s[pos] == '+') {
		neg = s[pos] == '-'
		pos++
	}
	d := pos
	for pos < len(s) && pos-d < maxW && s[pos] >= '0' && s[pos] <= '9' {
		pos++
	}
	if pos-d < minW || pos == d {
		return 0, start, fmt.Errorf("expected a number at index %d", start)
	}
	v, err := strconv.Atoi(s[d:pos])
	if err != nil {
		return 0, start, err
	}
	if neg {
		v = -v
	}
	return v, pos, nil
}

func matchName(s string, pos int, names []string) (int, int, bool) {
	for i, n := range names {
		if len(s)-pos >= len(n) && strings.EqualFold(s[pos:pos+len(n)], n) {
			return i, pos + len(n), true
		}
	}
	return 0, pos, false
}

func parseField(tk dtToken, s string, pos, fixed int, f *dtFields) (int, error) {
	n := tk.count
	width := func(def int) (int, int) {
		if fixed > 0 {
			return fixed, fixed
		}
		return n, def
	}
	var err error
	var v int
	switch tk.letter {
	case 'y', 'u', 'Y':
		if n == 2 {
			if v, pos, err = readNumber(s, pos, 2, 2, false); err == nil {
				f.year, f.twoDigitYear = 2000+v, true
			}
			return pos, err
		}
		lo, hi := width(10)
		v, pos, err = readNumber(s, pos, lo, hi, n > 3 || tk.letter == 'u')
		f.year = v
	case 'M', 'L':
		if n >= 3 {
			names := make([]string, 12)
			for i, m := range monthNames {
				names[i] = m
				if n == 3 {
					names[i] = m[:3]
				}
			}
			var ok bool
			var idx int
			if idx, pos, ok = matchName(s, pos, names); !ok {
				return pos, fmt.Errorf("expected a month name at index %d", pos)
			}
			f.month = idx + 1
			return pos, nil
		}
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.month = v
	case 'd':
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.day = v
	case 'D':
		lo, hi := width(3)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.doy = v
	case 'E':
		names := dayNames[:]
		if n < 4 {
			names = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
		}
		var ok bool
		if _, pos, ok = matchName(s, pos, names); !ok {
			return pos, fmt.Errorf("expected a day name at index %d", pos)
		}
	case 'a':
		idx, np, ok := matchName(s, pos, []string{"AM", "PM"})
		if !ok {
			return pos, fmt.Errorf("expected AM or PM at index %d", pos)
		}
		f.pm, pos = idx, np
	case 'h', 'K':
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.hour12 = v
	case 'k':
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.hourOfDayClock = v
	case 'H':
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.hour = v
	case 'm':
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.minute = v
	case 's':
		lo, hi := width(2)
		v, pos, err = readNumber(s, pos, lo, hi, false)
		f.second = v
	case 'S':
		start := pos
		lo, hi := n, n
		if fixed == 0 && n < 9 {
			lo, hi = n, n
		}
		if v, pos, err = readNumber(s, pos, lo, hi, false); err == nil {
			digits := pos - start
			for ; digits < 9; digits++ {
				v *= 10
			}
			f.nanos = v
		}
	case 'A':
		v, pos, err = readNumber(s, pos, 1, 8, false)
		f.milliOfDay = v
	case 'n':
		v, pos, err = readNumber(s, pos, 1, 9, false)
		f.nanos = v
	case 'V', 'v', 'z':
		end := pos
		for end < len(s) && (s[end] == '/' || s[end] == '_' || s[end] == '+' || s[end] == '-' || s[end] == ':' ||
			(s[end] >= 'A' && s[end] <= 'Z') || (s[end] >= 'a' && s[end] <= 'z') || (s[end] >= '0' && s[end] <= '9')) {
			end++
		}
		loc, lerr := loadZone(s[pos:end])
		if lerr != nil {
			return pos, lerr
		}
		f.loc, pos = loc, end
	case 'X', 'x', 'Z', 'O':
		var off int
		if off, pos, err = parseOffset(s, pos); err == nil {
			f.offset, f.hasOffset = off, true
		}
	default:
		return pos, fmt.Errorf("pattern letter '%c' is not supported for parsing", tk.letter)
	}
	return pos, err
}

// parseOffset reads Z, +HH, +HHMM, +HH:MM, GMT+H[:MM] or UTC+HH:MM.
func parseOffset(s string, pos int) (int, int, error) {
	if pos < len(s) && (s[pos] == 'Z' || s[pos] == 'z') {
		return 0, pos + 1, nil
	}
	for _, pre := range []string{"GMT", "UTC", "UT"} {
		if strings.HasPrefix(s[pos:], pre) {
			pos += len(pre)
			if pos >= len(s) || (s[pos] != '+' && s[pos] != '-') {
				return 0, pos, nil
			}
			break
		}
	}
	if pos >= len(s) || (s[pos] != '+' && s[pos] != '-') {
		return 0, pos, fmt.Errorf("expected an offset at index %d", pos)
	}
	neg := s[pos] == '-'
	pos++
	h, np, err := readNumber(s, pos, 1, 2, false)
	if err != nil {
		return 0, pos, err
	}
	pos = np
	m := 0
	if pos < len(s) && s[pos] == ':' {
		pos++
	}
	if pos+1 < len(s)+1 && pos < len(s) && s[pos] >= '0' && s[pos] <= '9' {
		if m, pos, err = readNumber(s, pos, 2, 2, false); err != nil {
			return 0, pos, err
		}
	}
	off := h*3600 + m*60
	if neg {
		off = -off
	}
	return off, pos, nil
}

// javaShortIDs are the three-letter zone IDs java.util.TimeZone accepts,
// which ksqlDB users pass as time zone arguments.
var javaShortIDs = map[string]string{
	"ACT": "Australia/Darwin", "AET": "Australia/Sydney", "AGT": "America/Argentina/Buenos_Aires",
	"ART": "Africa/Cairo", "AST": "America/Anchorage", "BET": "America/Sao_Paulo",
	"BST": "Asia/Dhaka", "CAT": "Africa/Harare", "CNT": "America/St_Johns",
	"CST": "America/Chicago", "CTT": "Asia/Shanghai", "EAT": "Africa/Addis_Ababa",
	"ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis", "IST": "Asia/Kolkata",
	"JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
	"NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix",
	"PRT": "America/Puerto_Rico", "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal",
	"VST": "Asia/Ho_Chi_Minh", "EST": "-05:00", "MST": "-07:00", "HST": "-10:00",
}

var zoneCache sync.Map

// loadZone resolves a java.util.TimeZone / java.time.ZoneId string: region
// IDs, UTC/GMT/Z, fixed offsets (+05:30, GMT-8, UTC+01:00) and the
// three-letter short IDs.
func loadZone(id string) (*time.Location, error) {
	if v, ok := zoneCache.Load(id); ok {
		return v.(*time.Location), nil
	}
	loc, err := loadZoneUncached(id)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(id, loc)
	return loc, nil
}

func loadZoneUncached(id string) (*time.Location, error) {
	name := id
	if mapped, ok := javaShortIDs[strings.ToUpper(id)]; ok {
		name = mapped
	}
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "UT":
		return time.UTC, nil
	}
	if off, end, err := parseOffset(name, 0); err == nil && end == len(name) && name != "" {
		return time.FixedZone(id, off), nil
	}
	if name == "" || strings.Contains(name, "..") {
		return nil, fmt.Errorf("functions: unknown time zone %q", id)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("functions: unknown time zone %q", id)
	}
	return loc, nil
}
