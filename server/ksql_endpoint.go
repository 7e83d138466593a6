package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/parser"
)

// ksqlRequest is ksqlDB's KsqlRequest, the body of /ksql, /query and (as
// the request parameter) /ws/query. ksqlDB's clients send the properties
// as streamsProperties; "properties" is accepted as an alias as newer
// clients use it.
type ksqlRequest struct {
	Ksql                  *string           `json:"ksql"`
	StreamsProperties     map[string]any    `json:"streamsProperties"`
	Properties            map[string]any    `json:"properties"`
	SessionVariables      map[string]any    `json:"sessionVariables"`
	CommandSequenceNumber *int64            `json:"commandSequenceNumber"`
	RequestProperties     map[string]string `json:"requestProperties"`
}

func (r *ksqlRequest) props() map[string]any {
	if len(r.StreamsProperties) > 0 {
		return r.StreamsProperties
	}
	return r.Properties
}

// errBodyTooLarge marks a body over Options.MaxBodyBytes.
var errBodyTooLarge = errors.New("server: request body too large")

// decodeBody reads a bounded JSON body into v. It returns the status and
// error body to send, or nil on success.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) (int, *errorBody) {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return http.StatusRequestEntityTooLarge, genericError(codeTooLarge,
				fmt.Sprintf("Request body exceeds the limit of %d bytes", s.opts.MaxBodyBytes))
		}
		return http.StatusBadRequest, genericError(engine.CodeBadRequest, "Could not read the request body: "+err.Error())
	}
	if err := json.Unmarshal(data, v); err != nil {
		return http.StatusBadRequest, genericError(engine.CodeBadRequest, "Invalid JSON in request: "+err.Error())
	}
	return 0, nil
}

// queryEndpointMessage is ksqlDB's refusal of a query sent to /ksql.
const queryEndpointMessage = "The following statement types should be issued to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT"

// handleKsql runs a script of statements and answers an entity per
// statement. Queries are refused before anything runs: they belong to the
// streaming endpoints, and running the statements before a SELECT only to
// fail on it would leave half a request applied.
func (s *Server) handleKsql(w http.ResponseWriter, r *http.Request) {
	var req ksqlRequest
	if st, eb := s.decodeBody(w, r, &req); eb != nil {
		writeError(w, st, eb)
		return
	}
	if req.Ksql == nil {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "Invalid request: the ksql field is required"))
		return
	}
	if text, ok := firstQuery(*req.Ksql, req.SessionVariables); ok {
		writeError(w, http.StatusBadRequest, &errorBody{Type: "statement_error", ErrorCode: engine.CodeQueryEndpoint,
			Message: queryEndpointMessage, StatementText: text, Entities: []any{}})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.StatementTimeout)
	defer cancel()
	sess, eb := s.newSession(ctx, req.props(), req.SessionVariables)
	if eb != nil {
		writeError(w, httpStatus(eb.ErrorCode), eb)
		return
	}
	results, err := sess.Execute(ctx, *req.Ksql)
	closeStreams(results)
	s.metrics.statements.Add(float64(len(results)))
	if err != nil {
		s.metrics.statementErrors.Inc()
		st, body := statementError(err, s.entities(results))
		writeError(w, st, body)
		return
	}
	writeJSON(w, s.entities(results))
}

// firstQuery returns the first SELECT or PRINT of a script, if any. A
// script that does not parse is left to the engine, which reports the
// syntax error with its position.
func firstQuery(sql string, vars map[string]any) (string, bool) {
	if len(vars) > 0 {
		if sub, err := parser.Substitute(sql, stringMap(vars)); err == nil {
			sql = sub
		}
	}
	stmts, err := parser.ParseScript(sql)
	if err != nil {
		return "", false
	}
	for _, p := range stmts {
		switch p.Statement.(type) {
		case *ast.QueryStatement, *ast.Print:
			return p.Text, true
		}
	}
	return "", false
}

// newSession starts the session of one request: the request's properties
// applied with SET and its variables with DEFINE, so they mean exactly
// what they mean in a script.
func (s *Server) newSession(ctx context.Context, props, vars map[string]any) (*engine.Session, *errorBody) {
	sess := s.eng.NewSession()
	var b strings.Builder
	for _, k := range sortedKeys(props) {
		fmt.Fprintf(&b, "SET '%s'='%s';\n", quote(k), quote(propertyText(props[k])))
	}
	for _, k := range sortedKeys(vars) {
		fmt.Fprintf(&b, "DEFINE %s='%s';\n", k, quote(propertyText(vars[k])))
	}
	if b.Len() == 0 {
		return sess, nil
	}
	if _, err := sess.Execute(ctx, b.String()); err != nil {
		_, body := statementError(err, nil)
		body.Type = "generic_error"
		body.StatementText = ""
		body.Entities = nil
		if body.ErrorCode >= 50000 {
			body.ErrorCode = engine.CodeBadRequest
		}
		body.Message = "Invalid request properties or variables: " + body.Message
		return nil, body
	}
	return sess, nil
}

// propertyText is a JSON property value as the text SET takes: strings
// as they are, numbers and booleans in their JSON spelling.
func propertyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func quote(s string) string { return strings.ReplaceAll(s, "'", "''") }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = propertyText(v)
	}
	return out
}

// closeStreams closes streams among results that nobody will read (a
// /ksql request never streams).
func closeStreams(results []engine.Result) {
	for _, r := range results {
		switch r := r.(type) {
		case *engine.RowStream:
			r.Close()
		case *engine.PrintStream:
			r.Close()
		}
	}
}
