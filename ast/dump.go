package ast

import (
	"fmt"
	"reflect"
	"strings"
)

// Dump returns an indented, position-free rendering of a tree, one field per
// line. Golden tests store it, and two trees are the same when their dumps
// are (that is how the parse → format → parse round trip is checked).
func Dump(n any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n), 0)
	b.WriteByte('\n')
	return b.String()
}

var posType = reflect.TypeOf(Pos{})

func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	indent := func(d int) { b.WriteString(strings.Repeat("  ", d)) }
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("nil")
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem(), depth)
	case reflect.Struct:
		t := v.Type()
		b.WriteString(t.Name())
		b.WriteString(" {")
		wrote := false
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Type == posType {
				continue
			}
			fv := v.Field(i)
			switch fv.Kind() {
			case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.String, reflect.Bool:
				// Absent parts are left out; numbers and enums always print.
				if fv.IsZero() {
					continue
				}
			}
			b.WriteByte('\n')
			indent(depth + 1)
			b.WriteString(f.Name)
			b.WriteString(": ")
			dumpValue(b, fv, depth+1)
			wrote = true
		}
		if wrote {
			b.WriteByte('\n')
			indent(depth)
		}
		b.WriteByte('}')
	case reflect.Slice:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			b.WriteByte('\n')
			indent(depth + 1)
			dumpValue(b, v.Index(i), depth+1)
		}
		if v.Len() > 0 {
			b.WriteByte('\n')
			indent(depth)
		}
		b.WriteByte(']')
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	default:
		if s, ok := v.Interface().(fmt.Stringer); ok {
			b.WriteString(s.String())
			return
		}
		fmt.Fprintf(b, "%v", v.Interface())
	}
}
