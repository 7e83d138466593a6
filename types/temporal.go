package types

import (
	"strings"
)

// Dates, times and timestamps travel as integers (days, milliseconds of the
// day, milliseconds since the epoch) and are only turned into text for
// display, CAST and the DELIMITED format. The text forms are the ones ksqlDB
// prints: DATE `yyyy-MM-dd`, TIME `HH:mm:ss[.fff]`, TIMESTAMP
// `yyyy-MM-ddTHH:mm:ss.SSS` in UTC. The conversions use proleptic Gregorian
// civil arithmetic rather than the time package: they sit on the CAST and
// DELIMITED paths and allocate nothing.

const (
	msPerSecond = 1000
	msPerMinute = 60 * msPerSecond
	msPerHour   = 60 * msPerMinute
	msPerDay    = 24 * msPerHour
)

// civilFromDays converts days since 1970-01-01 to a Gregorian date.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil converts a Gregorian date to days since 1970-01-01.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mm := int64(m)
	if mm > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func appendPadded(b []byte, v int64, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// AppendText appends the `yyyy-MM-dd` form of d.
func (d Date) AppendText(b []byte) []byte {
	y, m, dd := civilFromDays(int64(d))
	if y > 9999 {
		b = append(b, '+') // as java.time prints years past 9999
	}
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, int64(m), 2)
	b = append(b, '-')
	return appendPadded(b, int64(dd), 2)
}

// String returns the `yyyy-MM-dd` form of d.
func (d Date) String() string { return string(d.AppendText(nil)) }

// AppendText appends `HH:mm:ss`, followed by the milliseconds without
// trailing zeros when they are not zero (ISO_LOCAL_TIME as ksqlDB prints).
func (t Time) AppendText(b []byte) []byte {
	ms := floorMod(int64(t), msPerDay)
	b = appendPadded(b, ms/msPerHour, 2)
	b = append(b, ':')
	b = appendPadded(b, ms/msPerMinute%60, 2)
	b = append(b, ':')
	b = appendPadded(b, ms/msPerSecond%60, 2)
	if f := ms % 1000; f != 0 {
		b = append(b, '.')
		b = append(b, byte('0'+f/100))
		if f%100 != 0 {
			b = append(b, byte('0'+f/10%10))
			if f%10 != 0 {
				b = append(b, byte('0'+f%10))
			}
		}
	}
	return b
}

// String returns the text form of t.
func (t Time) String() string { return string(t.AppendText(nil)) }

// AppendText appends `yyyy-MM-ddTHH:mm:ss.SSS` in UTC.
func (ts Timestamp) AppendText(b []byte) []byte {
	days := floorDiv(int64(ts), msPerDay)
	ms := int64(ts) - days*msPerDay
	b = Date(days).AppendText(b)
	b = append(b, 'T')
	b = appendPadded(b, ms/msPerHour, 2)
	b = append(b, ':')
	b = appendPadded(b, ms/msPerMinute%60, 2)
	b = append(b, ':')
	b = appendPadded(b, ms/msPerSecond%60, 2)
	b = append(b, '.')
	return appendPadded(b, ms%1000, 3)
}

// String returns the text form of ts.
func (ts Timestamp) String() string { return string(ts.AppendText(nil)) }

// scanner walks a date/time string; every method reports failure instead of
// panicking so malformed input is an error, never a crash.
type scanner struct {
	s string
	i int
}

// digits reads between lo and hi decimal digits.
func (p *scanner) digits(lo, hi int) (int64, bool) {
	start := p.i
	var v int64
	for p.i < len(p.s) && p.i-start < hi && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int64(p.s[p.i]-'0')
		p.i++
	}
	return v, p.i-start >= lo
}

func (p *scanner) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *scanner) done() bool { return p.i == len(p.s) }

// date parses yyyy[-MM[-dd]]; missing parts default to the first.
func (p *scanner) date() (int64, bool) {
	neg := p.eat('-')
	if !neg {
		p.eat('+')
	}
	y, ok := p.digits(4, 6)
	if !ok {
		return 0, false
	}
	if neg {
		y = -y
	}
	m, d := int64(1), int64(1)
	if p.eat('-') {
		if m, ok = p.digits(2, 2); !ok || m < 1 || m > 12 {
			return 0, false
		}
		if p.eat('-') {
			if d, ok = p.digits(2, 2); !ok || d < 1 || d > int64(daysInMonth(y, int(m))) {
				return 0, false
			}
		}
	}
	return daysFromCivil(y, int(m), int(d)), true
}

// timeOfDay parses HH[:mm[:ss[.fffffffff]]] into milliseconds, truncating
// digits beyond the millisecond.
func (p *scanner) timeOfDay() (int64, bool) {
	h, ok := p.digits(2, 2)
	if !ok || h > 23 {
		return 0, false
	}
	var mi, s, ms int64
	if p.eat(':') {
		if mi, ok = p.digits(2, 2); !ok || mi > 59 {
			return 0, false
		}
		if p.eat(':') {
			if s, ok = p.digits(2, 2); !ok || s > 59 {
				return 0, false
			}
			if p.eat('.') {
				start := p.i
				f, ok := p.digits(1, 9)
				if !ok {
					return 0, false
				}
				for n := p.i - start; n < 3; n++ {
					f *= 10
				}
				for n := p.i - start; n > 3; n-- {
					f /= 10
				}
				ms = f
			}
		}
	}
	return h*msPerHour + mi*msPerMinute + s*msPerSecond + ms, true
}

// zone parses Z, ±HH, ±HHmm or ±HH:mm into an offset in milliseconds.
func (p *scanner) zone() (int64, bool) {
	if p.eat('Z') || p.eat('z') {
		return 0, true
	}
	sign := int64(1)
	switch {
	case p.eat('+'):
	case p.eat('-'):
		sign = -1
	default:
		return 0, false
	}
	h, ok := p.digits(2, 2)
	if !ok || h > 18 {
		return 0, false
	}
	var m int64
	p.eat(':')
	if p.i < len(p.s) {
		if m, ok = p.digits(2, 2); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * (h*msPerHour + m*msPerMinute), true
}

// ParseDate parses `yyyy-MM-dd`; like ksqlDB it accepts a partial date
// (`yyyy`, `yyyy-MM`), completing it with the first month or day.
func ParseDate(s string) (Date, error) {
	p := scanner{s: strings.TrimSpace(s)}
	d, ok := p.date()
	if !ok || !p.done() || d < -1<<31 || d >= 1<<31 {
		return 0, errorf(CodeParse, "invalid DATE %q: expected yyyy-MM-dd", s)
	}
	return Date(d), nil
}

// ParseTime parses `HH:mm[:ss[.fff]]`.
func ParseTime(s string) (Time, error) {
	p := scanner{s: strings.TrimSpace(s)}
	t, ok := p.timeOfDay()
	if !ok || !p.done() {
		return 0, errorf(CodeParse, "invalid TIME %q: expected HH:mm:ss", s)
	}
	return Time(t), nil
}

// ParseTimestamp parses the ISO-8601 forms ksqlDB accepts in literals and
// CAST: `yyyy[-MM[-dd[THH[:mm[:ss[.fff]]]]]]` with an optional zone (`Z`,
// `+HH`, `+HHmm`, `+HH:mm`); no zone means UTC. A space is accepted in
// place of the `T`.
func ParseTimestamp(s string) (Timestamp, error) {
	p := scanner{s: strings.TrimSpace(s)}
	days, ok := p.date()
	if !ok {
		return 0, errorf(CodeParse, "invalid TIMESTAMP %q: expected yyyy-MM-ddTHH:mm:ss.SSS", s)
	}
	if days > maxTimestampDays || days < -maxTimestampDays {
		return 0, errorf(CodeParse, "invalid TIMESTAMP %q: out of range", s)
	}
	var ms, off int64
	if p.eat('T') || p.eat(' ') {
		if ms, ok = p.timeOfDay(); !ok {
			return 0, errorf(CodeParse, "invalid TIMESTAMP %q: bad time of day", s)
		}
	}
	if !p.done() {
		if off, ok = p.zone(); !ok || !p.done() {
			return 0, errorf(CodeParse, "invalid TIMESTAMP %q: bad zone offset", s)
		}
	}
	return Timestamp(days*msPerDay + ms - off), nil
}

// maxTimestampDays bounds the dates a TIMESTAMP can reach without its
// millisecond count overflowing.
const maxTimestampDays = (1<<63-1)/msPerDay - 1

// DateOf returns the DATE a TIMESTAMP falls on (UTC).
func DateOf(ts Timestamp) Date { return Date(floorDiv(int64(ts), msPerDay)) }

// TimeOf returns the TIME of day of a TIMESTAMP (UTC).
func TimeOf(ts Timestamp) Time { return Time(floorMod(int64(ts), msPerDay)) }

// TimestampOf returns midnight UTC of a DATE.
func TimestampOf(d Date) Timestamp { return Timestamp(int64(d) * msPerDay) }
