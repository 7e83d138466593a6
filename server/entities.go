package server

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/types"
)

// The entity types below are ksqlDB's KsqlEntity subclasses as they appear
// on the wire (ksqldb-rest-model's rest.entity package): the field names,
// their order and the "@type" discriminator are what ksqlDB clients (its
// CLI, its Java client, scripts) decode, so they are kept even where Sluice
// has nothing to put in a field (an empty list, not an absent key).

type commandStatus struct {
	Status  string  `json:"status"`
	Message string  `json:"message"`
	QueryID *string `json:"queryId"`
}

type currentStatusEntity struct {
	Type                  string        `json:"@type"`
	StatementText         string        `json:"statementText"`
	CommandID             string        `json:"commandId"`
	CommandStatus         commandStatus `json:"commandStatus"`
	CommandSequenceNumber int64         `json:"commandSequenceNumber"`
	Warnings              []warning     `json:"warnings"`
}

type warning struct {
	Message string `json:"message"`
}

type warningEntity struct {
	Type          string    `json:"@type"`
	StatementText string    `json:"statementText"`
	Message       string    `json:"message"`
	Warnings      []warning `json:"warnings"`
}

type sourceInfo struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Topic       string `json:"topic"`
	KeyFormat   string `json:"keyFormat"`
	ValueFormat string `json:"valueFormat"`
	IsWindowed  bool   `json:"isWindowed"`
}

type streamsEntity struct {
	Type          string       `json:"@type"`
	StatementText string       `json:"statementText"`
	Streams       []sourceInfo `json:"streams"`
	Warnings      []warning    `json:"warnings"`
}

type tablesEntity struct {
	Type          string       `json:"@type"`
	StatementText string       `json:"statementText"`
	Tables        []sourceInfo `json:"tables"`
	Warnings      []warning    `json:"warnings"`
}

type sourceDescriptionsEntity struct {
	Type               string              `json:"@type"`
	StatementText      string              `json:"statementText"`
	SourceDescriptions []sourceDescription `json:"sourceDescriptions"`
	Warnings           []warning           `json:"warnings"`
}

type runningQuery struct {
	QueryString     string         `json:"queryString"`
	Sinks           []string       `json:"sinks"`
	SinkKafkaTopics []string       `json:"sinkKafkaTopics"`
	ID              string         `json:"id"`
	StatusCount     map[string]int `json:"statusCount"`
	QueryType       string         `json:"queryType"`
	State           string         `json:"state"`
}

type queriesEntity struct {
	Type          string         `json:"@type"`
	StatementText string         `json:"statementText"`
	Queries       []runningQuery `json:"queries"`
	Warnings      []warning      `json:"warnings"`
}

// schemaInfo is ksqlDB's SchemaInfo: a type by its base type, with the
// fields of a STRUCT, the element (or map value) type, and DECIMAL's
// parameters.
type schemaInfo struct {
	Type         string         `json:"type"`
	Fields       []fieldInfo    `json:"fields"`
	MemberSchema *schemaInfo    `json:"memberSchema"`
	Parameters   map[string]any `json:"parameters,omitempty"`
}

type fieldInfo struct {
	Name   string     `json:"name"`
	Schema schemaInfo `json:"schema"`
	// Type is "KEY" or "HEADER" for those columns and absent for value
	// columns, as in ksqlDB.
	Type      string `json:"type,omitempty"`
	HeaderKey string `json:"headerKey,omitempty"`
}

type sourceDescription struct {
	Name                 string         `json:"name"`
	WindowType           *string        `json:"windowType"`
	ReadQueries          []runningQuery `json:"readQueries"`
	WriteQueries         []runningQuery `json:"writeQueries"`
	Fields               []fieldInfo    `json:"fields"`
	Type                 string         `json:"type"`
	Timestamp            string         `json:"timestamp"`
	Statistics           string         `json:"statistics"`
	ErrorStats           string         `json:"errorStats"`
	Extended             bool           `json:"extended"`
	KeyFormat            string         `json:"keyFormat"`
	ValueFormat          string         `json:"valueFormat"`
	Topic                string         `json:"topic"`
	Partitions           int            `json:"partitions"`
	Replication          int            `json:"replication"`
	Statement            string         `json:"statement"`
	QueryOffsetSummaries []any          `json:"queryOffsetSummaries"`
	SourceConstraints    []string       `json:"sourceConstraints"`
	ClusterStatistics    []any          `json:"clusterStatistics"`
	ClusterErrorStats    []any          `json:"clusterErrorStats"`
	IsSource             bool           `json:"isSource"`
}

type sourceDescriptionEntity struct {
	Type              string            `json:"@type"`
	StatementText     string            `json:"statementText"`
	SourceDescription sourceDescription `json:"sourceDescription"`
	Warnings          []warning         `json:"warnings"`
}

type property struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
	Value string `json:"value"`
}

type propertiesEntity struct {
	Type                  string     `json:"@type"`
	StatementText         string     `json:"statementText"`
	Properties            []property `json:"properties"`
	OverwrittenProperties []string   `json:"overwrittenProperties"`
	DefaultProperties     []string   `json:"defaultProperties"`
	Warnings              []warning  `json:"warnings"`
}

type functionName struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Type     string `json:"type"`
}

type functionNamesEntity struct {
	Type          string         `json:"@type"`
	StatementText string         `json:"statementText"`
	Functions     []functionName `json:"functions"`
	Warnings      []warning      `json:"warnings"`
}

type argumentInfo struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
	IsVariadic  bool   `json:"isVariadic"`
}

type functionInfo struct {
	Arguments   []argumentInfo `json:"arguments"`
	ReturnType  string         `json:"returnType"`
	Description string         `json:"description"`
}

type describeFunctionEntity struct {
	Type          string         `json:"@type"`
	StatementText string         `json:"statementText"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	Author        string         `json:"author"`
	Version       string         `json:"version"`
	Path          string         `json:"path"`
	Functions     []functionInfo `json:"functions"`
	FunctionType  string         `json:"type"`
	Warnings      []warning      `json:"warnings"`
}

type kafkaTopic struct {
	Name        string `json:"name"`
	ReplicaInfo []int  `json:"replicaInfo"`
}

type kafkaTopicsEntity struct {
	Type          string       `json:"@type"`
	StatementText string       `json:"statementText"`
	Topics        []kafkaTopic `json:"topics"`
	Warnings      []warning    `json:"warnings"`
}

type typeListEntity struct {
	Type          string                `json:"@type"`
	StatementText string                `json:"statementText"`
	Types         map[string]schemaInfo `json:"types"`
	Warnings      []warning             `json:"warnings"`
}

type variable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type variablesEntity struct {
	Type          string     `json:"@type"`
	StatementText string     `json:"statementText"`
	Variables     []variable `json:"variables"`
	Warnings      []warning  `json:"warnings"`
}

type queryDescription struct {
	ID                   string            `json:"id"`
	StatementText        string            `json:"statementText"`
	WindowType           *string           `json:"windowType"`
	Fields               []fieldInfo       `json:"fields"`
	Sources              []string          `json:"sources"`
	Sinks                []string          `json:"sinks"`
	Topology             string            `json:"topology"`
	ExecutionPlan        string            `json:"executionPlan"`
	OverriddenProperties map[string]string `json:"overriddenProperties"`
	KsqlHostQueryStatus  map[string]string `json:"ksqlHostQueryStatus"`
	QueryType            string            `json:"queryType"`
	QueryErrors          []any             `json:"queryErrors"`
	TasksMetadata        []any             `json:"tasksMetadata"`
	State                string            `json:"state,omitempty"`
}

type queryDescriptionEntity struct {
	Type             string           `json:"@type"`
	StatementText    string           `json:"statementText"`
	QueryDescription queryDescription `json:"queryDescription"`
	Warnings         []warning        `json:"warnings"`
}

type assertTopicEntity struct {
	Type          string    `json:"@type"`
	StatementText string    `json:"statementText"`
	TopicName     string    `json:"topicName"`
	Exists        bool      `json:"exists"`
	Warnings      []warning `json:"warnings"`
}

// entities renders the results of one /ksql request, in order. Results
// ksqlDB answers with no entity (SET, UNSET and DEFINE, which only affect
// the rest of the request) are left out; RUN SCRIPT's results are
// flattened.
func (s *Server) entities(results []engine.Result) []any {
	out := make([]any, 0, len(results))
	for _, r := range results {
		out = s.appendEntity(out, r)
	}
	return out
}

func (s *Server) appendEntity(out []any, r engine.Result) []any {
	nw := []warning{}
	switch r := r.(type) {
	case nil, *engine.PropertyChange:
		return out
	case *engine.ScriptResult:
		for _, sub := range r.Results {
			out = s.appendEntity(out, sub)
		}
		return out
	case *engine.Status:
		id := commandID(r.Statement)
		var qid *string
		if r.QueryID != "" {
			q := r.QueryID
			qid = &q
		}
		st := commandStatus{Status: "SUCCESS", Message: r.Message, QueryID: qid}
		s.commands.record(id, st)
		return append(out, &currentStatusEntity{Type: "currentStatus", StatementText: r.Statement, CommandID: id,
			CommandStatus: st, CommandSequenceNumber: r.CommandSeq, Warnings: nw})
	case *engine.Warning:
		return append(out, &warningEntity{Type: "warning_entity", StatementText: r.Statement, Message: r.Message, Warnings: nw})
	case *engine.SourceList:
		if len(r.Descriptions) > 0 || strings.Contains(strings.ToUpper(r.Statement), "EXTENDED") {
			ds := make([]sourceDescription, len(r.Descriptions))
			for i, d := range r.Descriptions {
				ds[i] = describeSource(d)
			}
			return append(out, &sourceDescriptionsEntity{Type: "source_descriptions", StatementText: r.Statement, SourceDescriptions: ds, Warnings: nw})
		}
		infos := make([]sourceInfo, len(r.Sources))
		for i, src := range r.Sources {
			infos[i] = sourceInfo{Type: src.Kind, Name: src.Name, Topic: src.Topic, KeyFormat: src.KeyFormat, ValueFormat: src.ValueFormat, IsWindowed: src.IsWindowed}
		}
		if r.Kind == "TABLES" {
			return append(out, &tablesEntity{Type: "tables", StatementText: r.Statement, Tables: infos, Warnings: nw})
		}
		return append(out, &streamsEntity{Type: "streams", StatementText: r.Statement, Streams: infos, Warnings: nw})
	case *engine.QueryList:
		return append(out, &queriesEntity{Type: "queries", StatementText: r.Statement, Queries: runningQueries(r.Queries), Warnings: nw})
	case *engine.SourceDescription:
		return append(out, &sourceDescriptionEntity{Type: "sourceDescription", StatementText: r.Statement, SourceDescription: describeSource(r), Warnings: nw})
	case *engine.PropertyList:
		ps := make([]property, len(r.Properties))
		overwritten, defaults := []string{}, []string{}
		for i, p := range r.Properties {
			ps[i] = property{Name: p.Name, Scope: p.Scope, Value: p.Value}
			switch p.Scope {
			case "SESSION":
				overwritten = append(overwritten, p.Name)
			case "DEFAULT":
				defaults = append(defaults, p.Name)
			}
		}
		return append(out, &propertiesEntity{Type: "properties", StatementText: r.Statement, Properties: ps,
			OverwrittenProperties: overwritten, DefaultProperties: defaults, Warnings: nw})
	case *engine.FunctionList:
		fs := make([]functionName, len(r.Functions))
		for i, f := range r.Functions {
			fs[i] = functionName{Name: f.Name, Category: f.Category, Type: f.Type}
		}
		return append(out, &functionNamesEntity{Type: "function_names", StatementText: r.Statement, Functions: fs, Warnings: nw})
	case *engine.FunctionDescription:
		d := r.Description
		fs := make([]functionInfo, len(d.Variations))
		for i, v := range d.Variations {
			args := make([]argumentInfo, len(v.Arguments))
			for j, a := range v.Arguments {
				args[j] = argumentInfo{Name: a.Name, Type: a.Type, Description: a.Description, IsVariadic: a.Variadic}
			}
			fs[i] = functionInfo{Arguments: args, ReturnType: v.ReturnType, Description: v.Description}
		}
		return append(out, &describeFunctionEntity{Type: "describe_function", StatementText: r.Statement, Name: d.Name,
			Description: d.Overview, Author: d.Author, Version: "", Path: "internal", Functions: fs, FunctionType: d.Type, Warnings: nw})
	case *engine.TopicList:
		ts := make([]kafkaTopic, len(r.Topics))
		for i, t := range r.Topics {
			ri := make([]int, t.Partitions)
			for j := range ri {
				ri[j] = max(t.Replicas, 1)
			}
			ts[i] = kafkaTopic{Name: t.Name, ReplicaInfo: ri}
		}
		return append(out, &kafkaTopicsEntity{Type: "kafka_topics", StatementText: r.Statement, Topics: ts, Warnings: nw})
	case *engine.TypeList:
		m := make(map[string]schemaInfo, len(r.Types))
		for name, t := range r.Types {
			m[name] = schemaOf(t)
		}
		return append(out, &typeListEntity{Type: "type_list", StatementText: r.Statement, Types: m, Warnings: nw})
	case *engine.VariableList:
		vs := make([]variable, len(r.Variables))
		for i, v := range r.Variables {
			vs[i] = variable{Name: v.Name, Value: v.Value}
		}
		return append(out, &variablesEntity{Type: "variables", StatementText: r.Statement, Variables: vs, Warnings: nw})
	case *engine.Explanation:
		return append(out, &queryDescriptionEntity{Type: "queryDescription", StatementText: r.Statement, QueryDescription: explain(r), Warnings: nw})
	case *engine.AssertResult:
		return append(out, &assertTopicEntity{Type: "assert_topic", StatementText: r.Statement, TopicName: r.Topic, Exists: r.Exists, Warnings: nw})
	default:
		// A result kind this server does not know yet (the engine grows
		// faster than its front doors): say what it was rather than drop
		// it, so a client sees the statement ran.
		return append(out, &warningEntity{Type: "warning_entity", StatementText: r.StatementText(),
			Message: engine.Text(r), Warnings: nw})
	}
}

func runningQueries(qs []engine.QueryInfo) []runningQuery {
	out := make([]runningQuery, len(qs))
	for i, q := range qs {
		sinks, topics := q.Sinks, q.SinkTopics
		if sinks == nil {
			sinks = []string{}
		}
		if topics == nil {
			topics = []string{}
		}
		out[i] = runningQuery{QueryString: q.Statement, Sinks: sinks, SinkKafkaTopics: topics, ID: q.ID,
			StatusCount: map[string]int{q.State: 1}, QueryType: q.Type, State: q.State}
	}
	return out
}

func describeSource(d *engine.SourceDescription) sourceDescription {
	fields := make([]fieldInfo, len(d.Fields))
	for i, f := range d.Fields {
		fi := fieldInfo{Name: f.Name}
		if t, err := types.ParseType(f.Type, nil); err == nil {
			fi.Schema = schemaOf(t)
		} else {
			fi.Schema = schemaInfo{Type: f.Type}
		}
		switch {
		case f.Role == "KEY" || f.Role == "PRIMARY KEY":
			fi.Type = "KEY"
		case f.Role == "HEADERS":
			fi.Type = "HEADER"
		case strings.HasPrefix(f.Role, "HEADER("):
			fi.Type = "HEADER"
			fi.HeaderKey = strings.Trim(strings.TrimSuffix(strings.TrimPrefix(f.Role, "HEADER("), ")"), "'")
		}
		fields[i] = fi
	}
	var wt *string
	if d.Windowed {
		w := d.WindowType
		wt = &w
	}
	sd := sourceDescription{Name: d.Name, WindowType: wt, ReadQueries: runningQueries(d.ReadQueries),
		WriteQueries: runningQueries(d.WriteQueries), Fields: fields, Type: d.Kind, Timestamp: d.Timestamp,
		Extended: d.Extended, KeyFormat: d.KeyFormat, ValueFormat: d.ValueFormat, Topic: d.Topic,
		Partitions: d.Partitions, Replication: d.Replicas, Statement: d.SourceStatement,
		QueryOffsetSummaries: []any{}, SourceConstraints: []string{}, ClusterStatistics: []any{},
		ClusterErrorStats: []any{}, IsSource: d.IsSource}
	if d.Extended {
		m := d.Metrics
		sd.Statistics = metricText(m.RecordsIn, m.RecordsOut, m.Lag)
		sd.ErrorStats = "processing-errors: " + itoa(d.ErrorStats)
	}
	return sd
}

func metricText(in, out, lag int64) string {
	return "records-in: " + itoa(in) + " records-out: " + itoa(out) + " consumer-lag: " + itoa(lag)
}

func explain(r *engine.Explanation) queryDescription {
	qd := queryDescription{ID: r.QueryID, StatementText: r.QueryStatement, Fields: []fieldInfo{},
		Sources: []string{}, Sinks: []string{}, Topology: r.Plan, ExecutionPlan: r.Plan,
		OverriddenProperties: map[string]string{}, KsqlHostQueryStatus: map[string]string{},
		QueryType: "PERSISTENT", QueryErrors: []any{}, TasksMetadata: []any{}, State: r.State}
	if r.QueryID == "" {
		qd.QueryType = "PUSH"
	}
	return qd
}

// schemaOf is a type as ksqlDB's SchemaInfo.
func schemaOf(t *types.Type) schemaInfo {
	if t == nil {
		return schemaInfo{Type: "NULL"}
	}
	si := schemaInfo{Type: t.Kind.String()}
	switch t.Kind {
	case types.Array, types.MapKind:
		m := schemaOf(t.Elem)
		si.MemberSchema = &m
	case types.StructKind:
		si.Fields = make([]fieldInfo, len(t.Fields))
		for i, f := range t.Fields {
			si.Fields[i] = fieldInfo{Name: f.Name, Schema: schemaOf(f.Type)}
		}
	case types.DecimalKind:
		si.Parameters = map[string]any{"precision": t.Precision, "scale": t.Scale}
	}
	return si
}

// commandID is ksqlDB's command id for a statement that changes the
// catalog: type/entity/action, such as stream/PAGEVIEWS/create. /status
// looks commands up by it.
func commandID(stmt string) string {
	st, err := parser.ParseStatement(stmt)
	if err != nil {
		return "cluster/CLUSTER/execute"
	}
	kind := func(k ast.SourceKind) string { return strings.ToLower(k.String()) }
	switch st := st.(type) {
	case *ast.CreateSource:
		return kind(st.Kind) + "/" + st.Name + "/create"
	case *ast.CreateAsSelect:
		return kind(st.Kind) + "/" + st.Name + "/create"
	case *ast.InsertInto:
		return "stream/" + st.Target + "/create"
	case *ast.DropSource:
		return kind(st.Kind) + "/" + st.Name + "/drop"
	case *ast.AlterSource:
		return kind(st.Kind) + "/" + st.Name + "/alter"
	case *ast.CreateType:
		return "type/" + st.Name + "/create"
	case *ast.DropType:
		return "type/" + st.Name + "/drop"
	case *ast.QueryControl:
		id := st.QueryID
		if st.All {
			id = "ALL"
		}
		return strings.ToLower(st.Action.String()) + "/" + id + "/execute"
	case *ast.InsertValues:
		return "stream/" + st.Target + "/insert"
	}
	return "cluster/CLUSTER/execute"
}
