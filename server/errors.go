package server

import (
	"errors"
	"net/http"

	"github.com/sluicedb/sluice/engine"
)

// Codes the server adds to the engine's: ksqlDB's for a refused method or
// path, an unacceptable media type, and a client over its limits.
const (
	codeNotFound         = 40400
	codeMethodNotAllowed = 40500
	codeNotAcceptable    = 40600
	codeTooLarge         = 41300
	codeTooManyRequests  = 42900
)

// errorBody is ksqlDB's KsqlErrorMessage / KsqlStatementErrorMessage: the
// shape every 4xx and 5xx response of every endpoint has, so clients parse
// one thing. Type is "generic_error" or "statement_error"; the latter
// carries the statement and the entities of the statements of the same
// request that ran before it.
type errorBody struct {
	Type          string `json:"@type"`
	ErrorCode     int    `json:"error_code"`
	Message       string `json:"message"`
	StatementText string `json:"statementText,omitempty"`
	// Entities is always present on a statement error, as in ksqlDB
	// (an empty list included), and absent on a generic error: an any
	// holding an empty slice is not omitted, a nil one is.
	Entities any `json:"entities,omitempty"`
}

func genericError(code int, msg string) *errorBody {
	return &errorBody{Type: "generic_error", ErrorCode: code, Message: msg}
}

// statementError renders an error from a statement. Engine errors keep
// their code; anything else is the server's fault.
func statementError(err error, entities []any) (int, *errorBody) {
	var ee *engine.Error
	if !errors.As(err, &ee) {
		return http.StatusInternalServerError, genericError(engine.CodeServerError, err.Error())
	}
	if entities == nil {
		entities = []any{}
	}
	body := &errorBody{Type: "statement_error", ErrorCode: ee.Code, Message: ee.Message, StatementText: ee.Statement, Entities: entities}
	if ee.Statement == "" {
		body.Type = "generic_error"
		body.Entities = nil
	}
	return httpStatus(ee.Code), body
}

// httpStatus maps a ksqlDB error code to its HTTP status: the first three
// digits, which is how ksqlDB builds its codes. A code that does not map
// to a valid status is a client error, never a 500: only CodeServerError
// and its kin (5xxxx) are the server's.
func httpStatus(code int) int {
	st := code / 100
	if st >= 400 && st < 600 && http.StatusText(st) != "" {
		return st
	}
	return http.StatusBadRequest
}

// writeError writes an error body with its status.
func writeError(w http.ResponseWriter, status int, body *errorBody) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(marshal(body), '\n'))
}

// writeJSON writes a 200 JSON response.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(marshal(v), '\n'))
}

// knownPaths are the endpoints' paths, so that a wrong method on one is a
// 405 rather than a 404.
var knownPaths = map[string]bool{"/ksql": true, "/query": true, "/query-stream": true, "/close-query": true,
	"/inserts-stream": true, "/info": true, "/healthcheck": true, "/status": true, "/ws/query": true, "/metrics": true}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if knownPaths[r.URL.Path] {
		writeError(w, http.StatusMethodNotAllowed, genericError(codeMethodNotAllowed, "HTTP 405 Method Not Allowed: "+r.Method+" "+r.URL.Path))
		return
	}
	writeError(w, http.StatusNotFound, genericError(codeNotFound, "HTTP 404 Not Found: "+r.Method+" "+r.URL.Path))
}
