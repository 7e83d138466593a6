package planner

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/format"
)

// props is a WITH clause after validation: names upper-cased, values as
// text, with the position of each for messages.
type props struct {
	vals map[string]string
	pos  map[string]ast.Pos
}

// Property sets accepted by each statement kind; ksqlDB rejects anything
// else with "Invalid config variable(s) in the WITH clause".
var (
	createSourceProps = []string{"KAFKA_TOPIC", "PARTITIONS", "REPLICAS", "FORMAT", "KEY_FORMAT", "VALUE_FORMAT",
		"WRAP_SINGLE_VALUE", "VALUE_DELIMITER", "KEY_DELIMITER", "TIMESTAMP", "TIMESTAMP_FORMAT", "WINDOW_TYPE",
		"WINDOW_SIZE", "KEY_SCHEMA_ID", "VALUE_SCHEMA_ID", "KEY_SCHEMA_FULL_NAME", "VALUE_SCHEMA_FULL_NAME",
		"VALUE_AVRO_SCHEMA_FULL_NAME", "RETENTION_MS", "SOURCE_CONNECTOR"}
	createAsProps = []string{"KAFKA_TOPIC", "PARTITIONS", "REPLICAS", "FORMAT", "KEY_FORMAT", "VALUE_FORMAT",
		"WRAP_SINGLE_VALUE", "VALUE_DELIMITER", "KEY_DELIMITER", "TIMESTAMP", "TIMESTAMP_FORMAT",
		"KEY_SCHEMA_ID", "VALUE_SCHEMA_ID", "KEY_SCHEMA_FULL_NAME", "VALUE_SCHEMA_FULL_NAME",
		"VALUE_AVRO_SCHEMA_FULL_NAME", "RETENTION_MS"}
	insertIntoProps = []string{"QUERY_ID"}
)

// parseProps reads a WITH clause, rejecting unknown names and values that
// are not literals.
func parseProps(list []*ast.Property, allowed []string) (*props, error) {
	p := &props{vals: map[string]string{}, pos: map[string]ast.Pos{}}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var bad []string
	for _, prop := range list {
		name := strings.ToUpper(prop.Name)
		if !ok[name] {
			bad = append(bad, name)
			continue
		}
		var v string
		switch x := prop.Value.(type) {
		case *ast.StringLiteral:
			v = x.Value
		case *ast.IntegerLiteral:
			v = strconv.FormatInt(x.Value, 10)
		case *ast.BooleanLiteral:
			v = strconv.FormatBool(x.Value)
		case *ast.DecimalLiteral:
			v = x.Text
		case *ast.ColumnRef:
			// An unquoted word (WRAP_SINGLE_VALUE=false parses as a literal,
			// but FORMAT=JSON would be a name).
			v = x.Name
		default:
			return nil, errorf(prop.Pos, "Invalid value for property %s: %s", name, exprText(prop.Value))
		}
		p.vals[name] = v
		p.pos[name] = prop.Pos
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, errNoPos("Invalid config variable(s) in the WITH clause: %s", strings.Join(bad, ","))
	}
	return p, nil
}

func (p *props) get(name string) (string, bool) {
	v, ok := p.vals[name]
	return v, ok
}

// int reads an integer property; absent gives 0.
func (p *props) int(name string) (int, error) {
	v, ok := p.vals[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0, errorf(p.pos[name], "Invalid value for property %s: '%s' (expected a positive integer)", name, v)
	}
	return n, nil
}

// bool reads a boolean property; absent gives nil.
func (p *props) bool(name string) (*bool, error) {
	v, ok := p.vals[name]
	if !ok {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		t := true
		return &t, nil
	case "false":
		f := false
		return &f, nil
	}
	return nil, errorf(p.pos[name], "Property '%s' is not a boolean value: '%s'", name, v)
}

// formats resolves the key and value format names from FORMAT,
// KEY_FORMAT, VALUE_FORMAT and the defaults in Options (used only when
// inherit gives nothing: CREATE ... AS SELECT inherits from its source).
// Names are checked against the format registry.
func (p *props) formats(o Options, inheritKey, inheritValue string) (key, value string, keySet bool, err error) {
	f, hasF := p.get("FORMAT")
	k, hasK := p.get("KEY_FORMAT")
	v, hasV := p.get("VALUE_FORMAT")
	if hasF && hasK {
		return "", "", false, errNoPos("Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.")
	}
	if hasF && hasV {
		return "", "", false, errNoPos("Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.")
	}
	if hasF {
		k, v, hasK, hasV = f, f, true, true
	}
	if !hasK {
		k = inheritKey
		if k == "" {
			k = "KAFKA"
			if d, ok := o.property(PropDefaultKeyFormat); ok && d != "" {
				k = d
			}
		}
	}
	if !hasV {
		v = inheritValue
		if v == "" {
			d, ok := o.property(PropDefaultValueFormat)
			if !ok || d == "" {
				return "", "", false, errNoPos("Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.")
			}
			v = d
		}
	}
	for _, name := range []string{k, v} {
		if _, err := format.Lookup(name); err != nil {
			return "", "", false, errNoPos("Unknown format: %s", strings.ToUpper(strings.TrimSpace(name)))
		}
	}
	return strings.ToUpper(strings.TrimSpace(k)), strings.ToUpper(strings.TrimSpace(v)), hasK, nil
}

// serdeOptions builds the key and value format options from the delimiter
// and wrapping properties, with the wrap.single.values default applied to
// single-column values.
func (p *props) serdeOptions(o Options, keyFormat, valueFormat string, valueCols int) (kopts, vopts format.Options, err error) {
	kopts.Key = true
	if d, ok := p.get("KEY_DELIMITER"); ok {
		if keyFormat != format.Delimited {
			return kopts, vopts, errNoPos("KEY_DELIMITER can only be used with KEY_FORMAT='DELIMITED'")
		}
		kopts.Delimiter = d
	}
	if d, ok := p.get("VALUE_DELIMITER"); ok {
		if valueFormat != format.Delimited {
			return kopts, vopts, errNoPos("VALUE_DELIMITER can only be used with VALUE_FORMAT='DELIMITED'")
		}
		vopts.Delimiter = d
	}
	for _, d := range []string{kopts.Delimiter, vopts.Delimiter} {
		if d != "" {
			if _, err := format.ParseDelimiter(d); err != nil {
				return kopts, vopts, errNoPos("%s", formatReason(err))
			}
		}
	}
	if err := p.checkSchemaFullName(keyFormat, "KEY_SCHEMA_FULL_NAME"); err != nil {
		return kopts, vopts, err
	}
	if err := p.checkSchemaFullName(valueFormat, "VALUE_SCHEMA_FULL_NAME", "VALUE_AVRO_SCHEMA_FULL_NAME"); err != nil {
		return kopts, vopts, err
	}
	wrap, err := p.bool("WRAP_SINGLE_VALUE")
	if err != nil {
		return kopts, vopts, err
	}
	if wrap == nil && valueCols == 1 && (valueFormat == format.JSON) {
		if d, ok := o.property(PropWrapSingleValues); ok {
			b := strings.EqualFold(strings.TrimSpace(d), "true")
			wrap = &b
		}
	}
	vopts.WrapSingleValue = wrap
	return kopts, vopts, nil
}

// checkSchemaFullName refuses a schema full name for a format without
// schemas, in ksqlDB's words: the name would be silently ignored.
func (p *props) checkSchemaFullName(formatName string, names ...string) error {
	switch formatName {
	case format.JSON, format.Delimited, format.Kafka, format.None:
	default:
		return nil // schema formats (AVRO, PROTOBUF) take a full name
	}
	for _, n := range names {
		if _, ok := p.get(n); ok {
			return errNoPos("%s does not support the following configs: [fullSchemaName]", formatName)
		}
	}
	return nil
}

// formatReason is a format error without the package prefix: format
// errors carry ksqlDB's text in their Reason.
func formatReason(err error) string {
	if se, ok := err.(*format.SchemaError); ok {
		return se.Reason
	}
	return err.Error()
}
