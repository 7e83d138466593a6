package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// fromEntity translates one entity of a /ksql response, keyed by its
// "@type", into the shell's model. Entities the shell does not know are
// shown as indented JSON rather than dropped.
func fromEntity(e map[string]any, stmt string) []Result {
	st := str(e["statementText"])
	if st == "" {
		st = stmt
	}
	var out []Result
	for _, w := range list(e["warnings"]) {
		if m := str(obj(w)["message"]); m != "" {
			out = append(out, &Message{Statement: st, Text: m, Warning: true})
		}
	}
	switch str(e["@type"]) {
	case "currentStatus":
		cs := obj(e["commandStatus"])
		out = append(out, &Message{Statement: st, Text: str(cs["message"])})
	case "warning_entity":
		out = append(out, &Message{Statement: st, Text: str(e["message"]), Warning: true})
	case "streams", "tables":
		kind, key := "Stream", "streams"
		if str(e["@type"]) == "tables" {
			kind, key = "Table", "tables"
		}
		t := &Table{Statement: st, Columns: []string{kind + " Name", "Kafka Topic", "Key Format", "Value Format", "Windowed"}}
		for _, s := range list(e[key]) {
			s := obj(s)
			t.Rows = append(t.Rows, []string{str(s["name"]), str(s["topic"]), str(s["keyFormat"]), str(s["valueFormat"]), str(s["isWindowed"])})
		}
		out = append(out, t)
	case "queries":
		t := &Table{Statement: st, Columns: []string{"Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"}}
		for _, q := range list(e["queries"]) {
			q := obj(q)
			state := str(q["state"])
			if state == "" {
				state = statusCount(obj(q["statusCount"]))
			}
			t.Rows = append(t.Rows, []string{str(q["id"]), str(q["queryType"]), state, joinList(q["sinks"]), joinList(q["sinkKafkaTopics"]), str(q["queryString"])})
		}
		out = append(out, t)
	case "kafka_topics":
		t := &Table{Statement: st, Columns: []string{"Kafka Topic", "Partitions", "Partition Replicas"}}
		for _, tp := range list(e["topics"]) {
			tp := obj(tp)
			reps := list(tp["replicaInfo"])
			t.Rows = append(t.Rows, []string{str(tp["name"]), fmt.Sprint(len(reps)), replicas(reps)})
		}
		out = append(out, t)
	case "function_names":
		t := &Table{Statement: st, Columns: []string{"Function Name", "Type", "Category"}}
		for _, f := range list(e["functions"]) {
			f := obj(f)
			t.Rows = append(t.Rows, []string{str(f["name"]), str(f["type"]), str(f["category"])})
		}
		out = append(out, t)
	case "properties":
		t := &Table{Statement: st, Columns: []string{"Property", "Scope", "Value"}}
		for _, p := range list(e["properties"]) {
			p := obj(p)
			t.Rows = append(t.Rows, []string{str(p["name"]), str(p["scope"]), str(p["value"])})
		}
		out = append(out, t)
	case "variables":
		t := &Table{Statement: st, Columns: []string{"Variable Name", "Value"}}
		for _, v := range list(e["variables"]) {
			v := obj(v)
			t.Rows = append(t.Rows, []string{str(v["name"]), str(v["value"])})
		}
		out = append(out, t)
	case "type_list":
		types := obj(e["types"])
		names := make([]string, 0, len(types))
		for n := range types {
			names = append(names, n)
		}
		sort.Strings(names)
		t := &Table{Statement: st, Columns: []string{"Type Name", "Schema"}}
		for _, n := range names {
			t.Rows = append(t.Rows, []string{n, schemaText(obj(types[n]))})
		}
		out = append(out, t)
	case "sourceDescription":
		out = append(out, remoteSource(st, obj(e["sourceDescription"])))
	case "source_descriptions":
		for _, d := range list(e["sourceDescriptions"]) {
			out = append(out, remoteSource(st, obj(d)))
		}
	case "queryDescription":
		out = append(out, remoteQuery(st, obj(e["queryDescription"])))
	case "describe_function":
		out = append(out, remoteFunction(st, e))
	default:
		b, _ := json.MarshalIndent(e, "", "  ")
		out = append(out, &Doc{Statement: st, Sections: []Section{{Text: string(b)}}})
	}
	return out
}

// remoteSource lays out a sourceDescription like describeSource does for
// the engine's result, so DESCRIBE reads the same either way.
func remoteSource(st string, d map[string]any) *Doc {
	pairs := [][2]string{{"Name", str(d["name"])}, {"Type", str(d["type"])}}
	if b, ok := d["sourceConstraints"]; ok && b != nil && len(list(b)) > 0 {
		pairs = append(pairs, [2]string{"Constraints", joinList(b)})
	}
	pairs = append(pairs,
		[2]string{"Key format", str(d["keyFormat"])},
		[2]string{"Value format", str(d["valueFormat"])},
		[2]string{"Kafka topic", fmt.Sprintf("%s (partitions: %s, replication: %s)", str(d["topic"]), str(d["partitions"]), str(d["replication"]))})
	pairs = append(pairs, [2]string{"Timestamp field", str(d["timestamp"])}, [2]string{"Window type", str(d["windowType"])})
	extended := d["extended"] == true
	if extended {
		pairs = append(pairs, [2]string{"Statement", str(d["statement"])})
	}
	fields := &Table{Columns: []string{"Field", "Type"}}
	for _, f := range list(d["fields"]) {
		f := obj(f)
		t := schemaText(obj(f["schema"]))
		switch str(f["type"]) {
		case "KEY":
			if strings.EqualFold(str(d["type"]), "TABLE") {
				t += " (primary key)"
			} else {
				t += " (key)"
			}
		case "HEADER":
			t += " (headers)"
		}
		fields.Rows = append(fields.Rows, []string{str(f["name"]), t})
	}
	doc := &Doc{Statement: st, Sections: []Section{{Pairs: trimEmpty(pairs)}, {Table: fields}}}
	if !extended {
		return doc
	}
	kind := strings.ToUpper(str(d["type"]))
	for _, part := range []struct{ heading, key string }{{"Queries that read from this " + kind, "readQueries"}, {"Queries that write from this " + kind, "writeQueries"}} {
		t := &Table{Columns: []string{"Query ID", "Status", "Query String"}}
		for _, q := range list(d[part.key]) {
			q := obj(q)
			t.Rows = append(t.Rows, []string{str(q["id"]), str(q["state"]), str(q["queryString"])})
		}
		doc.Sections = append(doc.Sections, Section{Heading: part.heading, Table: t})
	}
	if s := str(d["statistics"]); s != "" {
		doc.Sections = append(doc.Sections, Section{Heading: "Runtime statistics", Text: s})
	}
	if s := str(d["errorStats"]); s != "" {
		doc.Sections = append(doc.Sections, Section{Heading: "Error statistics", Text: s})
	}
	return doc
}

// remoteQuery lays out a queryDescription (EXPLAIN).
func remoteQuery(st string, q map[string]any) *Doc {
	pairs := [][2]string{{"ID", str(q["id"])}, {"Query type", str(q["queryType"])}, {"Query", str(q["statementText"])}, {"Status", str(q["state"])}}
	doc := &Doc{Statement: st, Sections: []Section{{Pairs: trimEmpty(pairs)}}}
	if fs := list(q["fields"]); len(fs) > 0 {
		t := &Table{Columns: []string{"Field", "Type"}}
		for _, f := range fs {
			f := obj(f)
			t.Rows = append(t.Rows, []string{str(f["name"]), schemaText(obj(f["schema"]))})
		}
		doc.Sections = append(doc.Sections, Section{Table: t})
	}
	io := [][2]string{{"Sources", joinList(q["sources"])}, {"Sinks", joinList(q["sinks"])}}
	if p := trimEmpty(io); len(p) > 0 {
		doc.Sections = append(doc.Sections, Section{Pairs: p})
	}
	if s := str(q["executionPlan"]); s != "" {
		doc.Sections = append(doc.Sections, Section{Heading: "Execution plan", Text: strings.TrimRight(s, "\n")})
	}
	// Sluice's server puts the same text in both fields; show it once.
	if s := str(q["topology"]); s != "" && s != str(q["executionPlan"]) {
		doc.Sections = append(doc.Sections, Section{Heading: "Processing topology", Text: strings.TrimRight(s, "\n")})
	}
	return doc
}

// remoteFunction lays out a describe_function entity.
func remoteFunction(st string, e map[string]any) *Doc {
	pairs := [][2]string{{"Name", str(e["name"])}, {"Author", str(e["author"])}, {"Overview", str(e["description"])}, {"Type", str(e["type"])}, {"Category", str(e["category"])}}
	doc := &Doc{Statement: st, Sections: []Section{{Pairs: trimEmpty(pairs)}}}
	for _, f := range list(e["functions"]) {
		f := obj(f)
		var args []string
		for _, a := range list(f["arguments"]) {
			a := obj(a)
			args = append(args, strings.TrimSpace(str(a["name"])+" "+str(a["type"])))
		}
		vp := [][2]string{{"Variation", str(e["name"]) + "(" + strings.Join(args, ", ") + ")"}, {"Returns", str(f["returnType"])}, {"Description", str(f["description"])}}
		for _, a := range list(f["arguments"]) {
			a := obj(a)
			desc := str(a["type"])
			if a["isVariadic"] == true {
				desc += "..."
			}
			if d := str(a["description"]); d != "" {
				desc += "  " + d
			}
			if n := str(a["name"]); n != "" {
				vp = append(vp, [2]string{n, desc})
			}
		}
		doc.Sections = append(doc.Sections, Section{Pairs: trimEmpty(vp)})
	}
	return doc
}

// schemaText renders ksqlDB's field schema ({"type","memberSchema",
// "fields"}) as SQL type text.
func schemaText(s map[string]any) string {
	t := str(s["type"])
	switch t {
	case "ARRAY":
		return "ARRAY<" + schemaText(obj(s["memberSchema"])) + ">"
	case "MAP":
		return "MAP<STRING, " + schemaText(obj(s["memberSchema"])) + ">"
	case "STRUCT":
		var parts []string
		for _, f := range list(s["fields"]) {
			f := obj(f)
			parts = append(parts, "`"+str(f["name"])+"` "+schemaText(obj(f["schema"])))
		}
		return "STRUCT<" + strings.Join(parts, ", ") + ">"
	case "DECIMAL":
		if p := obj(s["parameters"]); p != nil {
			return fmt.Sprintf("DECIMAL(%s, %s)", str(p["precision"]), str(p["scale"]))
		}
	}
	return t
}

func statusCount(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+":"+str(m[k]))
	}
	return strings.Join(parts, ",")
}

func replicas(reps []any) string {
	parts := make([]string, len(reps))
	for i, r := range reps {
		parts[i] = str(r)
	}
	return strings.Join(parts, " ")
}

// str renders a decoded JSON value as text ("" for null or absent).
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		return fmt.Sprint(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func joinList(v any) string {
	var parts []string
	for _, x := range list(v) {
		parts = append(parts, str(x))
	}
	return strings.Join(parts, ",")
}
