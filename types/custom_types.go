package types

import (
	"sort"
	"strings"
	"sync"
)

// CustomTypes holds the types declared with CREATE TYPE, by name. Names are
// stored as the parser normalised them (unquoted upper-cased) and looked
// up exactly, then case-insensitively, as ksqlDB resolves them. A custom
// type is an alias: columns declared with it get the underlying type, so
// nothing downstream knows custom types exist. Safe for concurrent use;
// the engine replays CREATE/DROP TYPE from its command topic into one.
type CustomTypes struct {
	mu    sync.RWMutex
	types map[string]*Type
}

// builtinTypeNames cannot be redefined by CREATE TYPE.
var builtinTypeNames = map[string]bool{
	"BOOLEAN": true, "INT": true, "INTEGER": true, "BIGINT": true, "DOUBLE": true, "DECIMAL": true,
	"STRING": true, "VARCHAR": true, "BYTES": true, "DATE": true, "TIME": true, "TIMESTAMP": true,
	"ARRAY": true, "MAP": true, "STRUCT": true,
}

// Register declares name as t. It fails if the name is a built-in type or
// already declared, unless ifNotExists, in which case an existing
// declaration is kept and no error is returned.
func (c *CustomTypes) Register(name string, t *Type, ifNotExists bool) error {
	if builtinTypeNames[strings.ToUpper(name)] {
		return errorf(CodeParse, "cannot register custom type %s: it is a built-in type", name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.types == nil {
		c.types = map[string]*Type{}
	}
	if old, ok := c.types[name]; ok {
		if ifNotExists {
			return nil
		}
		return errorf(CodeParse, "cannot register custom type %s: already registered as %s", name, old)
	}
	c.types[name] = t
	return nil
}

// Drop removes a declaration. Columns already declared with the type keep
// the underlying type. Dropping an unknown name fails unless ifExists.
func (c *CustomTypes) Drop(name string, ifExists bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.types[name]; !ok {
		if ifExists {
			return nil
		}
		return errorf(CodeParse, "type %s does not exist", name)
	}
	delete(c.types, name)
	return nil
}

// Lookup returns the type declared under name: an exact match first, then
// one that differs only in case.
func (c *CustomTypes) Lookup(name string) (*Type, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if t, ok := c.types[name]; ok {
		return t, true
	}
	for n, t := range c.types {
		if strings.EqualFold(n, name) {
			return t, true
		}
	}
	return nil, false
}

// Names lists the declared names, sorted, for SHOW TYPES.
func (c *CustomTypes) Names() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.types))
	for n := range c.types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Resolver adapts the set to ParseType's resolve argument.
func (c *CustomTypes) Resolver() func(string) (*Type, bool) { return c.Lookup }
