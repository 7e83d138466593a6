package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// Test is one runnable expansion of a case: a case with a `format` list
// runs once per format and one with a `config` list once per value, as
// ksqlDB's TestCaseBuilder expands them.
type Test struct {
	// Name is the full name, `<file-stem> - <case>[ - <FORMAT>][ - <prop>=<config>]`,
	// which --run matches and results report.
	Name string
	File *File
	Case *Case
	// Format is the expansion's format ("" when the case has no list);
	// Statements have {FORMAT} replaced by it.
	Format     string
	Statements []string
	// Properties are the case's properties as strings with {CONFIG}
	// replaced.
	Properties map[string]string
}

// Expand returns the tests of every case of the files, in file order.
func Expand(files []*File) []*Test {
	var out []*Test
	for _, f := range files {
		for _, c := range f.Cases {
			out = append(out, ExpandCase(f, c)...)
		}
	}
	return out
}

// ExpandCase returns the tests of one case.
func ExpandCase(f *File, c *Case) []*Test {
	formats := c.Formats
	if len(formats) == 0 {
		formats = []string{""}
	}
	configs := c.Config
	configProp := ""
	if len(configs) > 0 {
		for k, v := range c.Properties {
			if s, ok := v.(string); ok && strings.Contains(s, "{CONFIG}") {
				configProp = k
			}
		}
	} else {
		configs = []string{""}
	}
	var out []*Test
	for _, format := range formats {
		for _, cfg := range configs {
			name := f.Stem + " - " + c.Name
			if format != "" {
				name += " - " + format
			}
			if configProp != "" {
				name += " - " + configProp + "=" + cfg
			}
			t := &Test{Name: name, File: f, Case: c, Format: format}
			for _, s := range c.Statements {
				t.Statements = append(t.Statements, strings.ReplaceAll(s, "{FORMAT}", format))
			}
			if len(c.Properties) > 0 {
				t.Properties = make(map[string]string, len(c.Properties))
				for k, v := range c.Properties {
					t.Properties[k] = strings.ReplaceAll(propertyString(v), "{CONFIG}", cfg)
				}
			}
			out = append(out, t)
		}
	}
	return out
}

// propertyString renders a property value as ksqlDB's config parser sees
// it: strings as they are, numbers and booleans in their JSON spelling.
func propertyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprint(x)
	default:
		return fmt.Sprint(x)
	}
}

// SortedProperties returns the properties as sorted key=value pairs, the
// stable order in which the runner applies them.
func (t *Test) SortedProperties() [][2]string {
	keys := make([]string, 0, len(t.Properties))
	for k := range t.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, t.Properties[k]}
	}
	return out
}
