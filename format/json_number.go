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
