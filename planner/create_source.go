package planner

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// headersType is the type a HEADERS column must have: every header of the
// record, in order.
var headersType = types.ArrayOf(types.StructOf(
	types.Field{Name: "KEY", Type: types.StringType},
	types.Field{Name: "VALUE", Type: types.BytesType}))

func analyzeCreateSource(s *ast.CreateSource, cat Catalog, o Options) (src *Source, err error) {
	defer recoverInternal(&err)
	p, err := parseProps(s.Properties, createSourceProps)
	if err != nil {
		return nil, err
	}
	src = &Source{Name: s.Name, Kind: s.Kind, IsSource: s.IsSource, Statement: ast.Format(s)}
	// Formats are checked first, as ksqlDB does: a bad format is reported
	// even for a statement that also lacks columns.
	if _, _, _, err := p.formats(o, "", ""); err != nil {
		return nil, err
	}
	if len(s.Elements) == 0 {
		return nil, errNoPos("No columns supplied.")
	}
	if src.Columns, src.HeaderKeys, err = declaredColumns(s.Kind, s.Elements, cat); err != nil {
		return nil, err
	}
	topic, ok := p.get("KAFKA_TOPIC")
	if !ok || strings.TrimSpace(topic) == "" {
		return nil, errNoPos("Missing required property \"KAFKA_TOPIC\" which has no default value.")
	}
	src.Topic = topic
	if src.Partitions, err = p.int("PARTITIONS"); err != nil {
		return nil, err
	}
	if src.Replicas, err = p.int("REPLICAS"); err != nil {
		return nil, err
	}
	keyCols, valueCols := src.KeyColumns(), src.ValueColumns()
	if s.Kind == ast.TableSource && len(keyCols) == 0 {
		return nil, errNoPos("Tables require a PRIMARY KEY. Please define the PRIMARY KEY.")
	}
	var keySet bool
	if src.KeyFormat, src.ValueFormat, keySet, err = p.formats(o, "", ""); err != nil {
		return nil, err
	}
	if len(keyCols) == 0 && !keySet {
		src.KeyFormat = format.None
	}
	if src.KeyOptions, src.ValueOptions, err = p.serdeOptions(o, src.KeyFormat, src.ValueFormat, len(valueCols)); err != nil {
		return nil, err
	}
	if err := validateFormats(src); err != nil {
		return nil, err
	}
	if err := sourceTimestamp(src, p); err != nil {
		return nil, err
	}
	if src.Window, err = windowInfo(p); err != nil {
		return nil, err
	}
	if src.Window != nil && len(keyCols) == 0 {
		return nil, errNoPos("Windowed sources require a key column.")
	}
	return src, nil
}

func hasHeaders(cols []types.Column) bool {
	for _, c := range cols {
		if c.Headers {
			return true
		}
	}
	return false
}

// declaredColumns resolves the element list: types, key and header roles,
// reserved and duplicate names.
func declaredColumns(kind ast.SourceKind, elems []*ast.TableElement, cat Catalog) ([]types.Column, map[string]string, error) {
	var cols []types.Column
	var headerKeys map[string]string
	seen := map[string]bool{}
	allHeaders := false
	for _, el := range elems {
		if isPseudoName(el.Name) {
			return nil, nil, errorf(el.Pos, "'%s' is a reserved column name. You cannot use it as a name for a column.", el.Name)
		}
		if seen[el.Name] {
			return nil, nil, errorf(el.Pos, "Duplicate column names: `%s`", el.Name)
		}
		seen[el.Name] = true
		t, err := resolveType(el.Type, cat)
		if err != nil {
			return nil, nil, err
		}
		c := types.Column{Name: el.Name, Type: t}
		switch el.Constraint {
		case ast.KeyColumn:
			if kind == ast.TableSource {
				return nil, nil, errorf(el.Pos, "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' for tables.", el.Name)
			}
			c.Key = true
		case ast.PrimaryKeyColumn:
			if kind == ast.StreamSource {
				return nil, nil, errorf(el.Pos, "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' for streams.", el.Name)
			}
			c.Key = true
		case ast.HeadersColumn:
			if !t.Equal(headersType) {
				return nil, nil, errorf(el.Pos, "Invalid type for HEADERS column: expected %s, got %s", headersType, t)
			}
			if allHeaders {
				return nil, nil, errorf(el.Pos, "Schema already contains a HEADERS column.")
			}
			allHeaders = true
			c.Headers = true
		case ast.HeaderColumn:
			if t.Kind != types.Bytes {
				return nil, nil, errorf(el.Pos, "Invalid type for HEADER('%s') column: expected BYTES, got %s", el.HeaderKey, t)
			}
			c.Headers = true
			if headerKeys == nil {
				headerKeys = map[string]string{}
			}
			headerKeys[el.Name] = el.HeaderKey
		}
		cols = append(cols, c)
	}
	if allHeaders && len(headerKeys) > 0 {
		return nil, nil, errNoPos("Schema already contains a HEADERS column.")
	}
	return cols, headerKeys, nil
}

// validateFormats checks the key and value columns against their formats
// (format.Validate, which also carries ksqlDB's key rules).
func validateFormats(src *Source) error {
	// A keyless stream has nothing for its key format to carry; an
	// explicit KEY_FORMAT on one is kept but has nothing to validate.
	if keys := src.KeyColumns(); len(keys) > 0 {
		if err := format.Validate(src.KeyFormat, keys, src.KeyOptions); err != nil {
			return keyFormatError(src.KeyFormat, keys, err)
		}
	}
	if err := format.Validate(src.ValueFormat, src.ValueColumns(), src.ValueOptions); err != nil {
		return errNoPos("%s", formatReason(err))
	}
	return nil
}

// keyFormatError words a key format failure as ksqlDB does: the map rule
// stands alone, other reasons come with the format and the key schema.
func keyFormatError(name string, keys []types.Column, err error) error {
	reason := formatReason(err)
	if strings.HasPrefix(reason, "Map keys") || strings.HasPrefix(reason, "Unknown format") {
		if strings.HasPrefix(reason, "Map keys") {
			reason += " See https://github.com/confluentinc/ksql/issues/6621 for more."
		}
		return errNoPos("%s", reason)
	}
	var b strings.Builder
	for i, c := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("`" + c.Name + "` " + c.Type.String() + " KEY")
	}
	if i := strings.Index(reason, "Got: ["); i >= 0 {
		reason = reason[:i] + "Got: [" + b.String() + "]"
	}
	return errNoPos("Key format does not support schema.\nformat: %s\nschema: Persistence{columns=[%s], features=[]}\nreason: %s", name, b.String(), reason)
}

// sourceTimestamp applies TIMESTAMP and TIMESTAMP_FORMAT: the column must
// exist and be a BIGINT, a TIMESTAMP, or a STRING with a format.
func sourceTimestamp(src *Source, p *props) error {
	name, ok := p.get("TIMESTAMP")
	tf, hasFormat := p.get("TIMESTAMP_FORMAT")
	if !ok {
		if hasFormat {
			return errNoPos("TIMESTAMP_FORMAT requires a TIMESTAMP column in the WITH clause.")
		}
		return nil
	}
	col, found := lookupTimestampColumn(src.Columns, name)
	if !found {
		return errorf(p.pos["TIMESTAMP"], "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'", strings.ToUpper(name))
	}
	switch {
	case col.Type.Kind == types.Bigint || col.Type.Kind == types.TimestampKind:
	case col.Type.Kind == types.String && hasFormat:
	default:
		return errorf(p.pos["TIMESTAMP"], "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a String with a timestamp_format specified.", col.Name)
	}
	src.TimestampColumn, src.TimestampFormat = col.Name, tf
	return nil
}

// lookupTimestampColumn finds the TIMESTAMP property's column: the name as
// written, else upper-cased as an unquoted identifier would be, with
// backquotes meaning the exact name.
func lookupTimestampColumn(cols []types.Column, name string) (types.Column, bool) {
	name = strings.TrimSpace(name)
	exact := len(name) > 1 && name[0] == '`' && name[len(name)-1] == '`'
	if exact {
		name = name[1 : len(name)-1]
	}
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	if !exact {
		up := strings.ToUpper(name)
		for _, c := range cols {
			if c.Name == up {
				return c, true
			}
		}
	}
	return types.Column{}, false
}

// windowInfo reads WINDOW_TYPE and WINDOW_SIZE.
func windowInfo(p *props) (*WindowInfo, error) {
	wt, ok := p.get("WINDOW_TYPE")
	size, hasSize := p.get("WINDOW_SIZE")
	if !ok {
		if hasSize {
			return nil, errNoPos("'WINDOW_SIZE' requires 'WINDOW_TYPE' to be set.")
		}
		return nil, nil
	}
	w := &WindowInfo{}
	switch strings.ToUpper(strings.TrimSpace(wt)) {
	case "TUMBLING":
		w.Kind = ast.TumblingWindow
	case "HOPPING":
		w.Kind = ast.HoppingWindow
	case "SESSION":
		w.Kind = ast.SessionWindow
		if hasSize {
			return nil, errNoPos("'WINDOW_SIZE' should not be set for SESSION windows.")
		}
		return w, nil
	default:
		return nil, errorf(p.pos["WINDOW_TYPE"], "Invalid value for property WINDOW_TYPE: '%s' (one of SESSION, HOPPING, TUMBLING)", wt)
	}
	if !hasSize {
		return nil, errNoPos("Tumbling and Hopping window types should set WINDOW_SIZE in the WITH clause.")
	}
	ms, err := parseDurationText(size)
	if err != nil {
		return nil, errorf(p.pos["WINDOW_SIZE"], "Invalid value for property WINDOW_SIZE: %s", err)
	}
	w.SizeMs = ms
	return w, nil
}

// parseDurationText reads '10 SECONDS' (any unit, singular or plural).
func parseDurationText(s string) (int64, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, errNoPos("'%s' is not a duration like '10 SECONDS'", s)
	}
	var n int64
	for _, r := range f[0] {
		if r < '0' || r > '9' {
			return 0, errNoPos("'%s' is not a duration like '10 SECONDS'", s)
		}
		n = n*10 + int64(r-'0')
	}
	unit := strings.TrimSuffix(strings.ToUpper(f[1]), "S")
	units := map[string]ast.TimeUnit{"MILLISECOND": ast.Milliseconds, "SECOND": ast.Seconds, "MINUTE": ast.Minutes, "HOUR": ast.Hours, "DAY": ast.Days}
	u, ok := units[unit]
	if !ok {
		return 0, errNoPos("'%s' is not a duration like '10 SECONDS'", s)
	}
	return n * u.Millis(), nil
}

func analyzeAlterSource(s *ast.AlterSource, cat Catalog) (src *Source, err error) {
	defer recoverInternal(&err)
	old, ok := cat.Source(s.Name)
	if !ok || old.Kind != s.Kind {
		return nil, errorf(s.Pos, "Source %s does not exist.", s.Name)
	}
	if old.IsSource {
		return nil, errorf(s.Pos, "Cannot alter %s '%s': ALTER operations are not supported on source %ss.",
			strings.ToLower(s.Kind.String()), s.Name, strings.ToLower(s.Kind.String()))
	}
	if old.FromQuery || createdByQuery(old.Statement) {
		return nil, errorf(s.Pos, "ALTER command is not supported for CREATE ... AS statements.")
	}
	next := *old
	next.Columns = append([]types.Column(nil), old.Columns...)
	for _, el := range s.Columns {
		if el.Constraint != ast.ValueColumn {
			return nil, errorf(el.Pos, "ALTER %s ADD COLUMN only adds value columns: %s is a %s column", s.Kind, el.Name, el.Constraint)
		}
		for _, c := range next.Columns {
			if c.Name == el.Name {
				return nil, errorf(el.Pos, "Cannot add column `%s` to schema. A column with the same name already exists.", el.Name)
			}
		}
		if isPseudoName(el.Name) {
			return nil, errorf(el.Pos, "'%s' is a reserved column name. You cannot use it as a name for a column.", el.Name)
		}
		t, err := resolveType(el.Type, cat)
		if err != nil {
			return nil, err
		}
		next.Columns = append(next.Columns, types.Column{Name: el.Name, Type: t})
	}
	if err := format.Validate(next.ValueFormat, next.ValueColumns(), next.ValueOptions); err != nil {
		return nil, errNoPos("%s", formatReason(err))
	}
	return &next, nil
}

// createdByQuery reports whether a source's statement text is a CREATE
// ... AS SELECT, for sources registered without FromQuery.
func createdByQuery(statement string) bool {
	if statement == "" {
		return false
	}
	st, err := parser.ParseStatement(statement)
	if err != nil {
		return false
	}
	_, ok := st.(*ast.CreateAsSelect)
	return ok
}
