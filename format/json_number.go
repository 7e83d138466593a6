package format

// unscaled64 converts a JSON number token without exponent to its unscaled
// value at the given scale, rounding HALF_UP, when everything fits in 18
// digits and the result fits the precision. Otherwise ok is false and the
// caller takes the exact big.Int path (which also produces the errors).
func unscaled64(tok []byte, precision, scale int) (int64, bool) {
	neg := false
	if len(tok) > 0 && tok[0] == '-' {
		neg = true
		tok = tok[1:]
	}
	var u int64
	digits, frac := 0, -1
	roundUp := false
	for _, c := range tok {
		switch {
		case c == '.':
			frac = 0
			continue
		case c < '0' || c > '9':
			return 0, false // exponent
		}
		if frac >= 0 {
			if frac == scale {
				// First dropped digit decides HALF_UP; later ones cannot
				// change a tie-or-above into below.
				roundUp = c >= '5'
				frac++
				continue
			}
			if frac > scale {
				continue
			}
			frac++
		}
		if u == 0 && c == '0' {
			continue
		}
		digits++
		if digits > 18 {
			return 0, false
		}
		u = u*10 + int64(c-'0')
	}
	if frac < 0 {
		frac = 0
	}
	if frac > scale {
		frac = scale
	}
	for ; frac < scale; frac++ {
		if u == 0 {
			continue // zero stays zero at any scale
		}
		digits++
		if digits > 18 {
			return 0, false
		}
		u *= 10
	}
	if roundUp {
		u++
	}
	if u >= pow10i64[min(precision, 18)] && precision <= 18 || precision > 18 && digits > 18 {
		return 0, false
	}
	if neg {
		u = -u
	}
	return u, true
}

var pow10i64 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// parseIntToken parses an integer token (JSON grammar already checked) of
// up to 18 digits without strconv; ok is false for longer tokens, which
// take the strconv path.
func parseIntToken(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	if len(tok) == 0 || len(tok) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range tok {
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

var float64pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloatToken is the exact fast path for the common decimal literal
// without exponent whose digits fit in 2^53 and whose fraction has at most
// 22 digits: mantissa and power of ten are both exact doubles, so one
// IEEE division gives the correctly rounded result (as strconv would).
// ok is false otherwise and the caller uses strconv.ParseFloat.
func parseFloatToken(tok []byte) (float64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	var m uint64
	frac := -1
	for _, c := range tok {
		switch {
		case c == '.':
			frac = 0
			continue
		case c < '0' || c > '9':
			return 0, false // exponent
		}
		m = m*10 + uint64(c-'0')
		if m >= 1<<53 {
			return 0, false
		}
		if frac >= 0 {
			frac++
		}
	}
	if frac < 0 {
		frac = 0
	}
	if frac >= len(float64pow10) {
		return 0, false
	}
	f := float64(m) / float64pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}
