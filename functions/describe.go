package functions

import (
	"fmt"
	"strings"
)

// Author is what DESCRIBE FUNCTION reports for built-in functions.
const Author = "Sluice"

// Summary is one row of SHOW FUNCTIONS.
type Summary struct {
	Name     string
	Type     string // SCALAR, AGGREGATE or TABLE
	Category string
}

// Show lists the registry for SHOW FUNCTIONS, sorted by name.
func (r *Registry) Show() []Summary {
	fs := r.Functions()
	out := make([]Summary, len(fs))
	for i, f := range fs {
		out[i] = Summary{Name: f.Name, Type: f.Kind.String(), Category: f.Category}
	}
	return out
}

// ArgumentDoc describes one parameter in DESCRIBE FUNCTION.
type ArgumentDoc struct {
	Name        string
	Type        string
	Description string
	Variadic    bool
}

// VariantDoc describes one signature in DESCRIBE FUNCTION.
type VariantDoc struct {
	Signature   string
	Arguments   []ArgumentDoc
	ReturnType  string
	Description string
}

// Description is the structured DESCRIBE FUNCTION result; the REST layer
// renders it as ksqlDB's FunctionDescriptionList and the shell as text.
type Description struct {
	Name       string
	Author     string
	Overview   string
	Type       string
	Category   string
	Deprecated string
	Variations []VariantDoc
}

// Describe documents a function.
func Describe(f *Function) Description {
	d := Description{Name: f.Name, Author: Author, Overview: f.Description, Type: f.Kind.String(),
		Category: f.Category, Deprecated: f.Deprecated}
	for _, s := range f.Signatures {
		v := VariantDoc{Signature: s.Spelling(f), Description: s.Description, ReturnType: returnTypeText(s)}
		for i, p := range s.Params {
			v.Arguments = append(v.Arguments, ArgumentDoc{Name: p.Name, Type: p.Type.String(),
				Description: p.Description, Variadic: s.Variadic && i == len(s.Params)-1})
		}
		d.Variations = append(d.Variations, v)
	}
	return d
}

func returnTypeText(s *Signature) string {
	if s.Returns != nil {
		return s.Returns.String()
	}
	return "depends on the argument types"
}

// Text renders the description as the shell prints DESCRIBE FUNCTION.
func (d Description) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s: %s\n", "Name", d.Name)
	fmt.Fprintf(&b, "%-12s: %s\n", "Author", d.Author)
	fmt.Fprintf(&b, "%-12s: %s\n", "Overview", d.Overview)
	fmt.Fprintf(&b, "%-12s: %s\n", "Type", d.Type)
	fmt.Fprintf(&b, "%-12s: %s\n", "Category", d.Category)
	if d.Deprecated != "" {
		fmt.Fprintf(&b, "%-12s: use %s\n", "Deprecated", d.Deprecated)
	}
	fmt.Fprintf(&b, "%-12s:\n", "Variations")
	for _, v := range d.Variations {
		fmt.Fprintf(&b, "\n\t%-12s: %s\n", "Variation", v.Signature)
		fmt.Fprintf(&b, "\t%-12s: %s\n", "Returns", v.ReturnType)
		fmt.Fprintf(&b, "\t%-12s: %s\n", "Description", v.Description)
		for _, a := range v.Arguments {
			if a.Description != "" {
				fmt.Fprintf(&b, "\t%-12s: %s\n", a.Name, a.Description)
			}
		}
	}
	return b.String()
}
