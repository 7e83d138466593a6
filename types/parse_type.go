package types

import (
	"math"
	"strconv"
	"strings"
)

// ParseType reads the SQL spelling of a type, as written in schemas,
// function signatures and CREATE TYPE: `INT`, `VARCHAR`, `DECIMAL(4, 2)`,
// `ARRAY<STRING>`, `MAP<STRING, INT>`, `STRUCT<a INT, "b c" STRING>`.
// Unquoted struct field names are upper-cased as the parser does; quoted
// ones (backticks or double quotes) are kept. A name that is not a
// built-in type is passed to resolve, which is how types declared with
// CREATE TYPE are found; resolve may be nil. The full statement grammar is
// the parser's job; this is the small type language it shares with the
// function registry and tests.
func ParseType(s string, resolve func(name string) (*Type, bool)) (*Type, error) {
	p := typeParser{s: s, resolve: resolve}
	t, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.errf("unexpected %q", p.s[p.i:])
	}
	return t, nil
}

// MustParseType is ParseType for fixed types in tables and tests.
func MustParseType(s string) *Type {
	t, err := ParseType(s, nil)
	if err != nil {
		panic(err)
	}
	return t
}

type typeParser struct {
	s       string
	i       int
	resolve func(string) (*Type, bool)
}

func (p *typeParser) errf(format string, args ...any) error {
	return errorf(CodeParse, "invalid type %q at %d: "+format, append([]any{p.s, p.i + 1}, args...)...)
}

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *typeParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// ident reads a bare or quoted identifier; quoted reports which.
func (p *typeParser) ident() (name string, quoted bool, err error) {
	p.space()
	if p.i < len(p.s) && (p.s[p.i] == '`' || p.s[p.i] == '"') {
		q := p.s[p.i]
		p.i++
		var b strings.Builder
		for p.i < len(p.s) {
			if p.s[p.i] == q {
				if p.i+1 < len(p.s) && p.s[p.i+1] == q {
					b.WriteByte(q)
					p.i += 2
					continue
				}
				p.i++
				return b.String(), true, nil
			}
			b.WriteByte(p.s[p.i])
			p.i++
		}
		return "", false, p.errf("unterminated quoted identifier")
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || p.i > start && (c >= '0' && c <= '9' || c == '$' || c == '.') {
			p.i++
			continue
		}
		break
	}
	if p.i == start {
		return "", false, p.errf("expected a name")
	}
	return p.s[start:p.i], false, nil
}

func (p *typeParser) int() (int, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	v, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		return 0, p.errf("expected a number")
	}
	return v, nil
}

func (p *typeParser) parse(depth int) (*Type, error) {
	if depth > 64 {
		return nil, p.errf("type nested too deeply")
	}
	name, quoted, err := p.ident()
	if err != nil {
		return nil, err
	}
	if !quoted {
		switch strings.ToUpper(name) {
		case "BOOLEAN":
			return BooleanType, nil
		case "INT", "INTEGER":
			return IntegerType, nil
		case "BIGINT":
			return BigintType, nil
		case "DOUBLE":
			return DoubleType, nil
		case "STRING", "VARCHAR":
			return StringType, nil
		case "BYTES":
			return BytesType, nil
		case "DATE":
			return DateType, nil
		case "TIME":
			return TimeType, nil
		case "TIMESTAMP":
			return TimestampType, nil
		case "DECIMAL":
			if !p.eat('(') {
				return nil, p.errf("DECIMAL needs (precision, scale)")
			}
			prec, err := p.int()
			if err != nil {
				return nil, err
			}
			scale := 0
			if p.eat(',') {
				if scale, err = p.int(); err != nil {
					return nil, err
				}
			}
			if !p.eat(')') {
				return nil, p.errf("expected ')'")
			}
			if err := ValidateDecimal(prec, scale); err != nil {
				return nil, err
			}
			return DecimalOf(prec, scale), nil
		case "ARRAY":
			if !p.eat('<') {
				return nil, p.errf("expected '<'")
			}
			e, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			if !p.eat('>') {
				return nil, p.errf("expected '>'")
			}
			return ArrayOf(e), nil
		case "MAP":
			if !p.eat('<') {
				return nil, p.errf("expected '<'")
			}
			k, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			if !p.eat(',') {
				return nil, p.errf("expected ','")
			}
			v, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			if !p.eat('>') {
				return nil, p.errf("expected '>'")
			}
			return MapOf(k, v), nil
		case "STRUCT":
			if !p.eat('<') {
				return nil, p.errf("expected '<'")
			}
			var fields []Field
			if p.eat('>') {
				return StructOf(), nil
			}
			for {
				fname, fquoted, err := p.ident()
				if err != nil {
					return nil, err
				}
				if !fquoted {
					fname = strings.ToUpper(fname)
				}
				for _, f := range fields {
					if f.Name == fname {
						return nil, p.errf("duplicate field %s", fname)
					}
				}
				ft, err := p.parse(depth + 1)
				if err != nil {
					return nil, err
				}
				fields = append(fields, Field{Name: fname, Type: ft})
				if p.eat('>') {
					return StructOf(fields...), nil
				}
				if !p.eat(',') {
					return nil, p.errf("expected ',' or '>'")
				}
			}
		}
	}
	if p.resolve != nil {
		if t, ok := p.resolve(name); ok {
			return t, nil
		}
	}
	return nil, p.errf("unknown type %s", name)
}

// ParseNumericLiteral types a numeric literal as ksqlDB does: digits only
// give INTEGER when they fit 32 bits, else BIGINT; a decimal point without
// exponent gives DECIMAL with the literal's digits (2.345 is DECIMAL(4,
// 3)); an exponent gives DOUBLE. Out-of-range literals are errors with
// ksqlDB's wording.
func ParseNumericLiteral(text string) (any, *Type, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, nil, errorf(CodeParse, "Invalid numeric literal: %s", text)
	}
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if isRange(err) {
				return nil, nil, errorf(CodeParse, "Number overflows DOUBLE: %s", text)
			}
			return nil, nil, errorf(CodeParse, "Invalid numeric literal: %s", text)
		}
		if math.IsInf(f, 0) {
			return nil, nil, errorf(CodeParse, "Number overflows DOUBLE: %s", text)
		}
		return f, DoubleType, nil
	}
	if strings.Contains(s, ".") {
		d, err := ParseDecimal(s)
		if err != nil {
			return nil, nil, errorf(CodeParse, "Invalid numeric literal: %s", text)
		}
		p := max(d.Precision(), int(d.Scale))
		if p > MaxDecimalPrecision {
			// Too many digits for a DECIMAL: ksqlDB falls back to DOUBLE.
			f, _ := strconv.ParseFloat(s, 64)
			return f, DoubleType, nil
		}
		return d, DecimalOf(p, int(d.Scale)), nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, nil, errorf(CodeParse, "Invalid numeric literal: %s", text)
	}
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		return int32(v), IntegerType, nil
	}
	return v, BigintType, nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// SQLLiteral renders a value as SQL text that reads back as the same value
// and type: strings quoted with doubled single quotes, DECIMAL as digits, DOUBLE with
// an exponent, BIGINT and the temporal types through CAST when the bare
// literal would mean something else, containers with ARRAY[...], MAP(...)
// and STRUCT(...). The formatter and EXPLAIN use it.
func SQLLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return "CAST(" + strconv.FormatInt(x, 10) + " AS BIGINT)"
		}
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "CAST('" + FormatDouble(x) + "' AS DOUBLE)"
		}
		s := FormatDouble(x)
		if !strings.Contains(s, "E") {
			s += "E0" // an exponent makes the literal a DOUBLE
		}
		return s
	case Decimal:
		s := x.String()
		if !strings.Contains(s, ".") {
			return "CAST(" + s + " AS DECIMAL(" + strconv.Itoa(max(x.Precision(), 1)) + ", 0))"
		}
		return s
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case []byte:
		return "TO_BYTES('" + Format(x) + "', 'base64')"
	case Date:
		return "CAST('" + x.String() + "' AS DATE)"
	case Time:
		return "CAST('" + x.String() + "' AS TIME)"
	case Timestamp:
		return "CAST('" + x.String() + "' AS TIMESTAMP)"
	case []any:
		var b strings.Builder
		b.WriteString("ARRAY[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(SQLLiteral(e))
		}
		b.WriteByte(']')
		return b.String()
	case *Map:
		var b strings.Builder
		b.WriteString("MAP(")
		for i := range x.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(SQLLiteral(x.Keys[i]))
			b.WriteString(" := ")
			b.WriteString(SQLLiteral(x.Values[i]))
		}
		b.WriteByte(')')
		return b.String()
	case *Struct:
		var b strings.Builder
		b.WriteString("STRUCT(")
		for i, f := range x.Type.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + strings.ReplaceAll(f.Name, "`", "``") + "` := ")
			b.WriteString(SQLLiteral(x.Values[i]))
		}
		b.WriteByte(')')
		return b.String()
	}
	return "NULL"
}
