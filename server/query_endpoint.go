package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/parser"
)

// Media types of the streaming endpoints.
const (
	mediaDelimited = "application/vnd.ksqlapi.delimited.v1"
	mediaJSON      = "application/json"
	mediaKsqlJSON  = "application/vnd.ksql.v1+json"
)

// queryRequest is what the streaming endpoints need from their request
// bodies (/query's KsqlRequest, /query-stream's QueryStreamArgs).
type queryRequest struct {
	sql   string
	props map[string]any
	vars  map[string]any
}

// queryStreamArgs is /query-stream's body.
type queryStreamArgs struct {
	SQL              *string        `json:"sql"`
	Properties       map[string]any `json:"properties"`
	SessionVariables map[string]any `json:"sessionVariables"`
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	var req ksqlRequest
	if st, eb := s.decodeBody(w, r, &req); eb != nil {
		writeError(w, st, eb)
		return
	}
	if req.Ksql == nil {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "Invalid request: the ksql field is required"))
		return
	}
	if onlyProtobuf(r.Header.Get("Accept")) {
		writeError(w, http.StatusNotAcceptable, genericError(codeNotAcceptable,
			"application/vnd.ksql.v1+protobuf is not supported; accept application/json"))
		return
	}
	s.runQuery(w, r, queryRequest{sql: *req.Ksql, props: req.props(), vars: req.SessionVariables}, "query", func(isPrint bool) queryWriter {
		if isPrint {
			w.Header().Set("Content-Type", "text/plain")
		} else {
			w.Header().Set("Content-Type", mediaJSON)
		}
		w.WriteHeader(http.StatusOK)
		return &queryArrayWriter{f: s.newFlusher(w)}
	})
}

func (s *Server) handleQueryStream(w http.ResponseWriter, r *http.Request) {
	var args queryStreamArgs
	if st, eb := s.decodeBody(w, r, &args); eb != nil {
		writeError(w, st, eb)
		return
	}
	if args.SQL == nil {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "Invalid request: the sql field is required"))
		return
	}
	asJSON := acceptsJSON(r.Header.Get("Accept"))
	tombstones := wantsTombstones(r.Header.Get("Accept"))
	req := queryRequest{sql: *args.SQL, props: args.Properties, vars: args.SessionVariables}
	if asJSON {
		if _, isPrint, _ := classifyQuery(req.sql); isPrint {
			writeError(w, http.StatusNotAcceptable, genericError(codeNotAcceptable, "PRINT is only served as "+mediaDelimited))
			return
		}
	}
	s.runQuery(w, r, req, "query-stream", func(isPrint bool) queryWriter {
		f := s.newFlusher(w)
		if asJSON {
			w.Header().Set("Content-Type", mediaJSON)
			w.WriteHeader(http.StatusOK)
			return &jsonArrayWriter{f: f, tombstones: tombstones}
		}
		w.Header().Set("Content-Type", mediaDelimited)
		w.WriteHeader(http.StatusOK)
		return &delimitedWriter{f: f, tombstones: tombstones}
	})
}

// acceptsJSON reports an Accept header that asks for a JSON array rather
// than the delimited format (which is the default, also for */*).
func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		switch mt {
		case mediaDelimited:
			return false
		case mediaJSON, mediaKsqlJSON:
			return true
		}
	}
	return false
}

// wantsTombstones reports an Accept header whose /query-stream media type
// has the parameter tombstones=true: Sluice's shell asks for a table's
// deletes, which ksqlDB's /query-stream drops (its clients expect every
// row to be an array).
func wantsTombstones(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		params := strings.Split(part, ";")
		switch strings.TrimSpace(params[0]) {
		case mediaDelimited, mediaJSON, mediaKsqlJSON:
		default:
			continue
		}
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "tombstones") && strings.EqualFold(strings.Trim(v, `"`), "true") {
				return true
			}
		}
	}
	return false
}

// onlyProtobuf reports an Accept header that asks for ksqlDB's protobuf
// rows and nothing Sluice can send instead, which would otherwise get
// JSON it cannot parse.
func onlyProtobuf(accept string) bool {
	if !strings.Contains(accept, "application/vnd.ksql.v1+protobuf") {
		return false
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if mt == mediaJSON || mt == mediaKsqlJSON || mt == "*/*" || mt == "application/*" {
			return false
		}
	}
	return true
}

type closeQueryArgs struct {
	QueryID *string `json:"queryId"`
}

func (s *Server) handleCloseQuery(w http.ResponseWriter, r *http.Request) {
	var args closeQueryArgs
	if st, eb := s.decodeBody(w, r, &args); eb != nil {
		writeError(w, st, eb)
		return
	}
	if args.QueryID == nil || *args.QueryID == "" {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "Invalid request: the queryId field is required"))
		return
	}
	if !s.queries.close(*args.QueryID) {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "No query with id "+*args.QueryID))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// classifyQuery says whether sql is exactly one query (SELECT or PRINT).
// A script that does not parse reports ok, so the engine answers with its
// positioned syntax error.
func classifyQuery(sql string) (ok, isPrint bool, msg string) {
	stmts, err := parser.ParseScript(sql)
	if err != nil {
		return true, false, ""
	}
	if len(stmts) != 1 {
		return false, false, "Expected exactly one SELECT or PRINT statement, got " + itoa(int64(len(stmts)))
	}
	switch stmts[0].Statement.(type) {
	case *ast.QueryStatement:
		return true, false, ""
	case *ast.Print:
		return true, true, ""
	}
	return false, false, "Statement type not supported on this endpoint (only SELECT and PRINT are); send it to /ksql"
}

// runQuery runs one query for a streaming endpoint. open is called once
// the query started, to write the status and headers; errors before that
// are plain error responses. The query holds a slot of MaxPushQueries
// while it runs, and whatever ends it (LIMIT, the client going away,
// /close-query, Shutdown, an engine error) closes the engine's stream
// before runQuery returns, so no task or reader outlives the request.
func (s *Server) runQuery(w http.ResponseWriter, r *http.Request, req queryRequest, endpoint string, open func(isPrint bool) queryWriter) {
	s.runQueryTo(r, req, endpoint, open, func(status int, body *errorBody) { writeError(w, status, body) })
}

// runQueryTo is runQuery with the error responses before the stream
// started going to fail (an HTTP error body, or a WebSocket close).
func (s *Server) runQueryTo(r *http.Request, req queryRequest, endpoint string, open func(isPrint bool) queryWriter, fail func(int, *errorBody)) {
	if ok, _, msg := classifyQuery(req.sql); !ok {
		fail(http.StatusBadRequest, &errorBody{Type: "statement_error", ErrorCode: engine.CodeBadStatement,
			Message: msg, StatementText: req.sql, Entities: []any{}})
		return
	}
	if !s.queries.reserve() {
		s.metrics.queriesRefused.Inc()
		if s.shutting.Load() {
			fail(http.StatusServiceUnavailable, genericError(engine.CodeShuttingDown, "The server is shutting down"))
			return
		}
		fail(http.StatusTooManyRequests, genericError(codeTooManyRequests,
			"Too many push queries running (limit "+itoa(int64(s.opts.MaxPushQueries))+"); close one or try later"))
		return
	}
	defer s.queries.unreserve()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sess, eb := s.newSession(ctx, req.props, req.vars)
	if eb != nil {
		fail(httpStatus(eb.ErrorCode), eb)
		return
	}
	results, err := sess.Execute(ctx, req.sql)
	if err != nil {
		closeStreams(results)
		s.metrics.statementErrors.Inc()
		st, body := statementError(err, nil)
		fail(st, body)
		return
	}
	if len(results) != 1 {
		closeStreams(results)
		fail(http.StatusBadRequest, genericError(engine.CodeBadStatement, "Expected exactly one query result"))
		return
	}
	s.metrics.queriesStarted.WithLabelValues(endpoint).Inc()
	switch res := results[0].(type) {
	case *engine.Rows:
		out := open(false)
		s.writeRows(out, res)
	case *engine.RowStream:
		s.streamRows(ctx, cancel, r, open(false), res)
	case *engine.PrintStream:
		s.streamPrint(ctx, cancel, r, open(true), res)
	default:
		closeStreams(results)
		fail(http.StatusBadRequest, genericError(engine.CodeBadStatement, "Statement did not produce rows"))
	}
}

func (s *Server) writeRows(out queryWriter, res *engine.Rows) {
	if out.header(res.QueryID, res.Columns) != nil {
		return
	}
	for _, row := range res.Rows {
		if out.row(row, false) != nil {
			return
		}
		s.metrics.rowsOut.Inc()
	}
	_ = out.final("Query Completed")
	_ = out.finish()
}

// streamRows forwards a push query's rows until it ends, then writes the
// ending that says why.
func (s *Server) streamRows(ctx context.Context, cancel context.CancelFunc, r *http.Request, out queryWriter, st *engine.RowStream) {
	lq := &liveQuery{id: st.QueryID, cancel: cancel}
	s.queries.add(lq)
	defer s.queries.remove(lq.id)
	defer st.Close()
	if out.header(st.QueryID, st.Columns) != nil {
		return
	}
	for {
		row, ok := st.NextRow(ctx)
		if !ok {
			break
		}
		if out.row(row.Values, row.Tombstone) != nil {
			return // the client is gone; the deferred Close stops the query
		}
		s.metrics.rowsOut.Inc()
	}
	s.endStream(r, out, lq, st.Err())
}

func (s *Server) streamPrint(ctx context.Context, cancel context.CancelFunc, r *http.Request, out queryWriter, st *engine.PrintStream) {
	lq := &liveQuery{id: "print_" + st.Topic + "_" + itoa(int64(s.metrics.printSeq.Add(1))), cancel: cancel}
	s.queries.add(lq)
	defer s.queries.remove(lq.id)
	defer st.Close()
	for {
		line, ok := st.Next(ctx)
		if !ok {
			break
		}
		if out.line(line) != nil {
			return
		}
		s.metrics.rowsOut.Inc()
	}
	s.endStream(r, out, lq, st.Err())
}

// endStream writes the end of a stream: nothing for a client that left,
// an error for a shutdown or a failed query, the final message for a query
// that reached its LIMIT or was closed.
func (s *Server) endStream(r *http.Request, out queryWriter, lq *liveQuery, err error) {
	if r.Context().Err() != nil {
		s.metrics.clientGone.Inc()
		return
	}
	switch lq.endReason() {
	case reasonShutdown:
		_ = out.fail(genericError(engine.CodeShuttingDown, "The server is shutting down"))
	case reasonClosed:
		_ = out.final("Query Closed")
	default:
		if err != nil && !errors.Is(err, context.Canceled) {
			code := engine.CodeServerError
			var ee *engine.Error
			if errors.As(err, &ee) {
				code = ee.Code
			}
			_ = out.fail(genericError(code, err.Error()))
		} else {
			_ = out.final("Limit Reached")
		}
	}
	_ = out.finish()
}
