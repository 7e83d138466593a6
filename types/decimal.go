package types

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Decimal arithmetic is exact: values are big.Int unscaled digits and a
// scale, and every operation that can lose digits (rescaling, division)
// rounds HALF_UP as ksqlDB (java.math.BigDecimal with RoundingMode.HALF_UP)
// does. Most values in practice have fewer than 19 digits, so the common
// operations first try int64 arithmetic and only fall back to big.Int on
// overflow.

// MaxDecimalPrecision bounds DECIMAL precision, as in ksqlDB.
const MaxDecimalPrecision = 38

// maxParsedScale bounds the scale (and negative exponent) of parsed text.
const maxParsedScale = 4096

var pow10Table = func() []*big.Int {
	t := make([]*big.Int, 80)
	t[0] = big.NewInt(1)
	for i := 1; i < len(t); i++ {
		t[i] = new(big.Int).Mul(t[i-1], big.NewInt(10))
	}
	return t
}()

// pow10 returns 10^n as a shared big.Int the caller must not modify.
func pow10(n int) *big.Int {
	if n < len(pow10Table) {
		return pow10Table[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

var pow10Int64 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// NewDecimal returns unscaled × 10^-scale.
func NewDecimal(unscaled int64, scale int32) Decimal {
	return Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

// DecimalFromBig returns unscaled × 10^-scale; it takes ownership of u.
func DecimalFromBig(u *big.Int, scale int32) Decimal {
	return Decimal{Unscaled: u, Scale: scale}
}

// ParseDecimal parses the text forms BigDecimal accepts: an optional sign,
// digits with an optional fraction, and an optional exponent
// ("-12.50", ".5", "1E+3"). Surrounding spaces are ignored, as CAST does.
func ParseDecimal(s string) (Decimal, error) {
	t := strings.TrimSpace(s)
	mant, exp := t, int64(0)
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		e, err := strconv.ParseInt(t[i+1:], 10, 32)
		if err != nil {
			return Decimal{}, errorf(CodeParse, "invalid decimal %q", s)
		}
		mant, exp = t[:i], e
	}
	neg := false
	if mant != "" && (mant[0] == '-' || mant[0] == '+') {
		neg = mant[0] == '-'
		mant = mant[1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return Decimal{}, errorf(CodeParse, "invalid decimal %q", s)
	}
	digits := intPart + frac
	scale := int64(len(frac)) - exp
	// Far larger than any DECIMAL column and small enough that aligning two
	// parsed values never builds a huge big.Int (1e999999999 must not make
	// a 400 MB number).
	if scale > maxParsedScale || scale < -maxParsedScale {
		return Decimal{}, errorf(CodeParse, "decimal exponent out of range in %q", s)
	}
	var u *big.Int
	if len(digits) <= 18 {
		v, _ := strconv.ParseInt(digits, 10, 64)
		u = big.NewInt(v)
	} else {
		u, _ = new(big.Int).SetString(digits, 10)
	}
	if neg {
		u.Neg(u)
	}
	return Decimal{Unscaled: u, Scale: int32(scale)}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustParseDecimal is ParseDecimal for literals in tests and tables; it
// panics on malformed input, so never call it on data.
func MustParseDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the plain (no exponent) form with exactly Scale fraction
// digits, as BigDecimal.toPlainString prints and ksqlDB shows: "10.120".
func (d Decimal) String() string {
	return string(d.AppendText(nil))
}

// AppendText appends the plain form of d to b; encoders use it to avoid an
// allocation per value.
func (d Decimal) AppendText(b []byte) []byte {
	if d.Unscaled == nil {
		return append(b, "<invalid decimal>"...)
	}
	var digits []byte
	var scratch [24]byte
	neg := d.Unscaled.Sign() < 0
	if d.Unscaled.IsInt64() {
		v := d.Unscaled.Int64()
		if neg {
			digits = strconv.AppendUint(scratch[:0], uint64(-v), 10)
		} else {
			digits = strconv.AppendUint(scratch[:0], uint64(v), 10)
		}
	} else {
		digits = new(big.Int).Abs(d.Unscaled).Append(scratch[:0], 10)
	}
	if neg {
		b = append(b, '-')
	}
	if d.Scale <= 0 {
		b = append(b, digits...)
		for i := int32(0); i < -d.Scale; i++ {
			b = append(b, '0')
		}
		return b
	}
	sc := int(d.Scale)
	if len(digits) <= sc {
		b = append(b, '0', '.')
		for i := len(digits); i < sc; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-sc]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-sc:]...)
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.Unscaled.Sign() }

// Precision returns the number of significant digits of the unscaled value
// (1 for zero), the figure BigDecimal.precision reports and DECIMAL(p, s)
// bounds.
func (d Decimal) Precision() int {
	u := d.Unscaled
	if u.IsInt64() {
		v := u.Int64()
		if v < 0 {
			v = -v
		}
		n := 1
		for v >= 10 {
			v /= 10
			n++
		}
		return n
	}
	// Estimate from the bit length, then correct by one comparison.
	abs := new(big.Int).Abs(u)
	n := int(float64(abs.BitLen()-1)*math.Log10(2)) + 1
	if abs.Cmp(pow10(n)) >= 0 {
		n++
	}
	return n
}

// Rescale returns d with the given scale, rounding HALF_UP (ties away from
// zero) when digits are dropped.
func (d Decimal) Rescale(scale int32) Decimal {
	if scale == d.Scale {
		return d
	}
	if scale > d.Scale {
		diff := int(scale - d.Scale)
		if d.Unscaled.IsInt64() && diff < len(pow10Int64) {
			v := d.Unscaled.Int64()
			hi, lo := bits.Mul64(uint64(absInt64(v)), uint64(pow10Int64[diff]))
			if hi == 0 && lo <= math.MaxInt64 {
				r := int64(lo)
				if v < 0 {
					r = -r
				}
				return NewDecimal(r, scale)
			}
		}
		return Decimal{Unscaled: new(big.Int).Mul(d.Unscaled, pow10(diff)), Scale: scale}
	}
	drop := int(d.Scale - scale)
	if drop > d.Precision() {
		// |value| < 0.1 units of the new scale: it rounds to zero, and
		// dividing by a huge power of ten is wasted work.
		return Decimal{Unscaled: new(big.Int), Scale: scale}
	}
	return Decimal{Unscaled: divRoundHalfUp(d.Unscaled, pow10(drop)), Scale: scale}
}

func absInt64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// divRoundHalfUp returns n/q rounded half away from zero; q must not be 0.
func divRoundHalfUp(n, q *big.Int) *big.Int {
	if n.IsInt64() && q.IsInt64() {
		a, b := n.Int64(), q.Int64()
		if a != math.MinInt64 && b != math.MinInt64 {
			quo, rem := a/b, a%b
			if 2*uint64(absInt64(rem)) >= uint64(absInt64(b)) {
				if (a < 0) != (b < 0) {
					quo--
				} else {
					quo++
				}
			}
			return big.NewInt(quo)
		}
	}
	quo, rem := new(big.Int).QuoRem(n, q, new(big.Int))
	if rem.Sign() != 0 {
		rem.Abs(rem)
		rem.Lsh(rem, 1)
		if rem.CmpAbs(q) >= 0 {
			if n.Sign()*q.Sign() < 0 {
				quo.Sub(quo, big.NewInt(1))
			} else {
				quo.Add(quo, big.NewInt(1))
			}
		}
	}
	return quo
}

// Fit rescales d to DECIMAL(precision, scale), rounding HALF_UP, and fails
// when the integer digits do not fit, which is what ksqlDB does on CAST and
// when a value is written to a DECIMAL column.
func (d Decimal) Fit(precision, scale int) (Decimal, error) {
	// Reject values with too many integer digits before rescaling, so a
	// huge exponent costs nothing.
	if intDigits := d.Precision() - int(d.Scale); d.Sign() != 0 && intDigits > precision-scale+1 {
		return Decimal{}, errorf(CodeCast, "cannot fit decimal '%s' into DECIMAL(%d, %d) without rounding (requires %d, %d)",
			d.short(), precision, scale, intDigits+scale, scale)
	}
	r := d.Rescale(int32(scale))
	if p := r.Precision(); p > precision {
		return Decimal{}, errorf(CodeCast, "cannot fit decimal '%s' into DECIMAL(%d, %d) without rounding (requires %d, %d)",
			d, precision, scale, max(p, scale+1), scale)
	}
	return r, nil
}

// Cmp compares numerically: 1.0 and 1.00 are equal.
func (d Decimal) Cmp(e Decimal) int {
	if d.Scale == e.Scale {
		return d.Unscaled.Cmp(e.Unscaled)
	}
	a, b := align(d, e)
	return a.Cmp(b)
}

// align returns the unscaled values of d and e brought to the larger scale.
func align(d, e Decimal) (*big.Int, *big.Int) {
	if d.Scale > e.Scale {
		return d.Unscaled, e.Rescale(d.Scale).Unscaled
	}
	return d.Rescale(e.Scale).Unscaled, e.Unscaled
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	return Decimal{Unscaled: new(big.Int).Neg(d.Unscaled), Scale: d.Scale}
}

// Add returns d + e at the larger of the two scales.
func (d Decimal) Add(e Decimal) Decimal {
	a, b := align(d, e)
	if a.IsInt64() && b.IsInt64() {
		x, y := a.Int64(), b.Int64()
		if s := x + y; (s > x) == (y > 0) {
			return NewDecimal(s, max(d.Scale, e.Scale))
		}
	}
	return Decimal{Unscaled: new(big.Int).Add(a, b), Scale: max(d.Scale, e.Scale)}
}

// Sub returns d - e at the larger of the two scales.
func (d Decimal) Sub(e Decimal) Decimal { return d.Add(e.Neg()) }

// Mul returns d × e at the sum of the scales.
func (d Decimal) Mul(e Decimal) Decimal {
	if d.Unscaled.IsInt64() && e.Unscaled.IsInt64() {
		x, y := d.Unscaled.Int64(), e.Unscaled.Int64()
		hi, lo := bits.Mul64(uint64(absInt64(x)), uint64(absInt64(y)))
		if hi == 0 && lo <= math.MaxInt64 && x != math.MinInt64 && y != math.MinInt64 {
			p := int64(lo)
			if (x < 0) != (y < 0) {
				p = -p
			}
			return NewDecimal(p, d.Scale+e.Scale)
		}
	}
	return Decimal{Unscaled: new(big.Int).Mul(d.Unscaled, e.Unscaled), Scale: d.Scale + e.Scale}
}

// Quo returns d / e rounded HALF_UP to the given scale.
func (d Decimal) Quo(e Decimal, scale int32) (Decimal, error) {
	if e.Sign() == 0 {
		return Decimal{}, errorf(CodeDivideByZero, "decimal division by zero")
	}
	// d/e = (ud × 10^-sd) / (ue × 10^-se); to get scale s we need
	// ud × 10^(s - sd + se) / ue.
	shift := int(scale) - int(d.Scale) + int(e.Scale)
	num, den := d.Unscaled, e.Unscaled
	if shift >= 0 {
		num = new(big.Int).Mul(num, pow10(shift))
	} else {
		den = new(big.Int).Mul(den, pow10(-shift))
	}
	return Decimal{Unscaled: divRoundHalfUp(num, den), Scale: scale}, nil
}

// Rem returns the remainder of d / e truncated toward zero, with the sign of
// d, at the larger scale (BigDecimal.remainder).
func (d Decimal) Rem(e Decimal) (Decimal, error) {
	if e.Sign() == 0 {
		return Decimal{}, errorf(CodeDivideByZero, "decimal modulo by zero")
	}
	a, b := align(d, e)
	return Decimal{Unscaled: new(big.Int).Rem(a, b), Scale: max(d.Scale, e.Scale)}, nil
}

// Float64 returns the nearest float64.
func (d Decimal) Float64() float64 {
	if d.Unscaled.IsInt64() && d.Scale >= 0 && d.Scale < 23 {
		v := d.Unscaled.Int64()
		if absInt64(v) < 1<<53 {
			// Exact integer divided by an exact power of ten: one rounding.
			return float64(v) / float64pow10[d.Scale]
		}
	}
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

var float64pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// truncBig returns the integer part of d, truncated toward zero.
func (d Decimal) truncBig() *big.Int {
	if d.Scale <= 0 {
		return new(big.Int).Mul(d.Unscaled, pow10(int(-d.Scale)))
	}
	return new(big.Int).Quo(d.Unscaled, pow10(int(d.Scale)))
}

// Int64 truncates toward zero and keeps the low 64 bits, as Java's
// BigDecimal.longValue does; ok reports whether no bits were lost.
func (d Decimal) Int64() (v int64, ok bool) {
	t := d.truncBig()
	if t.IsInt64() {
		return t.Int64(), true
	}
	return lowInt64(t), false
}

// lowInt64 returns the low 64 bits of x in two's complement.
func lowInt64(x *big.Int) int64 {
	abs := new(big.Int).Abs(x)
	low := new(big.Int).And(abs, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	if x.Sign() < 0 {
		return -int64(low)
	}
	return int64(low)
}

// DecimalFromInt64 returns v with scale 0.
func DecimalFromInt64(v int64) Decimal { return NewDecimal(v, 0) }

// DecimalFromFloat64 converts through the shortest decimal text of f, as
// ksqlDB does with new BigDecimal(Double.toString(f)), so 0.1 becomes 0.1
// rather than its binary expansion. NaN and infinities have no decimal.
func DecimalFromFloat64(f float64) (Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, errorf(CodeCast, "cannot convert %s to DECIMAL", FormatDouble(f))
	}
	return ParseDecimal(strconv.FormatFloat(f, 'g', -1, 64))
}

// DecimalAddType is the result type of DECIMAL + or -: enough integer
// digits for a carry and the larger scale.
func DecimalAddType(a, b *Type) *Type {
	s := max(a.Scale, b.Scale)
	return decimalType(s+max(a.Precision-a.Scale, b.Precision-b.Scale)+1, s)
}

// DecimalMulType is the result type of DECIMAL *.
func DecimalMulType(a, b *Type) *Type {
	return decimalType(a.Precision+b.Precision+1, a.Scale+b.Scale)
}

// DecimalDivType is the result type of DECIMAL /: at least six fraction
// digits so that 1/3 is useful.
func DecimalDivType(a, b *Type) *Type {
	s := max(6, a.Scale+b.Precision+1)
	return decimalType(a.Precision-a.Scale+b.Scale+s, s)
}

// DecimalModType is the result type of DECIMAL %.
func DecimalModType(a, b *Type) *Type {
	s := max(a.Scale, b.Scale)
	return decimalType(min(a.Precision-a.Scale, b.Precision-b.Scale)+s, s)
}

// decimalType clamps to the maximum precision, giving up scale first so the
// integer digits survive, the usual SQL rule.
func decimalType(p, s int) *Type {
	if p > MaxDecimalPrecision {
		s = max(0, s-(p-MaxDecimalPrecision))
		p = MaxDecimalPrecision
	}
	if p < 1 {
		p = 1
	}
	return DecimalOf(p, s)
}

// DecimalTypeOf returns the DECIMAL type a non-decimal numeric widens to:
// INTEGER → DECIMAL(10, 0), BIGINT → DECIMAL(19, 0). A DECIMAL is returned
// as is; other kinds give nil.
func DecimalTypeOf(t *Type) *Type {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case Integer:
		return DecimalOf(10, 0)
	case Bigint:
		return DecimalOf(19, 0)
	case DecimalKind:
		return t
	}
	return nil
}

// ValidateDecimal checks DECIMAL(p, s) bounds: 1 ≤ p ≤ 38, 0 ≤ s ≤ p.
func ValidateDecimal(precision, scale int) error {
	if precision < 1 || precision > MaxDecimalPrecision {
		return errorf(CodeParse, "DECIMAL precision must be between 1 and %d: %d", MaxDecimalPrecision, precision)
	}
	if scale < 0 || scale > precision {
		return errorf(CodeParse, "DECIMAL scale must be between 0 and precision %d: %d", precision, scale)
	}
	return nil
}

// short prints d for error messages, in scientific form when the plain form
// would be long.
func (d Decimal) short() string {
	if d.Scale > -40 && d.Scale < 40 {
		return d.String()
	}
	return d.Unscaled.String() + "E" + strconv.Itoa(int(-d.Scale))
}
