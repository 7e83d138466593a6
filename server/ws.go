package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/types"
)

// handleWSQuery serves ksqlDB's WebSocket query endpoint, the one its
// first web UI used: GET /ws/query?request=<KsqlRequest JSON>. The first
// text message is the schema (a list of fields), then one StreamedRow per
// message; the server closes with 1000 "done" when the query completed
// and 1011 (or 1003 for a refused statement) with the message on error.
func (s *Server) handleWSQuery(w http.ResponseWriter, r *http.Request) {
	var req ksqlRequest
	raw := r.URL.Query().Get("request")
	if raw == "" {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "Invalid request: the request parameter is required"))
		return
	}
	if err := json.Unmarshal([]byte(raw), &req); err != nil || req.Ksql == nil {
		msg := "Invalid request: the ksql field is required"
		if err != nil {
			msg = "Invalid JSON in request: " + err.Error()
		}
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, msg))
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return // Accept wrote the refusal
	}
	defer conn.CloseNow()
	// The client sends nothing after the handshake; reading in the
	// background answers pings and notices the client closing, which
	// cancels the query through ctx.
	ctx := conn.CloseRead(r.Context())
	ww := &wsWriter{ctx: ctx, conn: conn, timeout: s.opts.WriteTimeout}
	rr := r.WithContext(ctx)
	s.runQueryTo(rr, queryRequest{sql: *req.Ksql, props: req.props(), vars: req.SessionVariables}, "ws",
		func(bool) queryWriter { return ww },
		func(_ int, body *errorBody) {
			_ = conn.Close(websocket.StatusUnsupportedData, closeReason(body.Message))
		})
	if ww.failed != nil {
		_ = conn.Close(websocket.StatusInternalError, closeReason(ww.failed.Message))
		return
	}
	_ = conn.Close(websocket.StatusNormalClosure, "done")
}

// closeReason fits a message in a close frame (at most 123 bytes of
// reason).
func closeReason(msg string) string {
	if len(msg) > 120 {
		return msg[:120]
	}
	return msg
}

type wsWriter struct {
	ctx     context.Context
	conn    *websocket.Conn
	timeout time.Duration
	failed  *errorBody
}

func (ws *wsWriter) send(b []byte) error {
	ctx, cancel := context.WithTimeout(ws.ctx, ws.timeout)
	defer cancel()
	return ws.conn.Write(ctx, websocket.MessageText, b)
}

func (ws *wsWriter) header(_ string, cols []types.Column) error {
	fields := make([]fieldInfo, len(cols))
	for i, c := range cols {
		fields[i] = fieldInfo{Name: c.Name, Schema: schemaOf(c.Type)}
		if c.Key {
			fields[i].Type = "KEY"
		}
	}
	b := marshal(fields)
	return ws.send(b)
}

func (ws *wsWriter) row(vals []any, tombstone bool) error {
	return ws.send(appendStreamedRow(nil, vals, tombstone))
}

func (ws *wsWriter) line(text string) error { return ws.send([]byte(text)) }

func (ws *wsWriter) final(msg string) error {
	b := marshal(map[string]string{"finalMessage": msg})
	return ws.send(b)
}

func (ws *wsWriter) fail(body *errorBody) error {
	ws.failed = body
	return nil
}

func (ws *wsWriter) finish() error { return nil }
