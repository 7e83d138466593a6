package types

import "testing"

func TestCustomTypes(t *testing.T) {
	var c CustomTypes
	address := MustParseType("STRUCT<number INTEGER, street VARCHAR, city VARCHAR>")
	if err := c.Register("ADDRESS", address, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Register("ADDRESS", IntegerType, false); err == nil {
		t.Fatal("duplicate CREATE TYPE accepted")
	}
	if err := c.Register("ADDRESS", IntegerType, true); err != nil {
		t.Fatalf("IF NOT EXISTS: %v", err)
	}
	if err := c.Register("varchar", IntegerType, false); err == nil {
		t.Fatal("built-in type name accepted")
	}
	person, err := ParseType("STRUCT<name VARCHAR, address ADDRESS>", c.Resolver())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Register("PERSON", person, false); err != nil {
		t.Fatal(err)
	}
	got, err := ParseType("ARRAY<person>", c.Resolver())
	if err != nil {
		t.Fatal(err)
	}
	if want := "ARRAY<STRUCT<`NAME` STRING, `ADDRESS` STRUCT<`NUMBER` INTEGER, `STREET` STRING, `CITY` STRING>>>"; got.String() != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if names := c.Names(); len(names) != 2 || names[0] != "ADDRESS" || names[1] != "PERSON" {
		t.Fatalf("Names = %v", names)
	}
	if err := c.Drop("ADDRESS", false); err != nil {
		t.Fatal(err)
	}
	if err := c.Drop("ADDRESS", false); err == nil {
		t.Fatal("dropping a missing type succeeded")
	}
	if err := c.Drop("ADDRESS", true); err != nil {
		t.Fatalf("IF EXISTS: %v", err)
	}
	// PERSON was resolved when declared and keeps the old ADDRESS shape.
	if p, ok := c.Lookup("PERSON"); !ok || !p.Equal(person) {
		t.Fatal("PERSON changed when ADDRESS was dropped")
	}
}
