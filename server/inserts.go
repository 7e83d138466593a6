package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// insertsBatch bounds how many rows that arrived together become one
// engine call: enough to amortise parsing and the log append, few enough
// that acks stay prompt.
const insertsBatch = 128

type insertsTarget struct {
	Target     string         `json:"target"`
	Properties map[string]any `json:"properties"`
}

// insertAck is one per-row acknowledgement of /inserts-stream. seq counts
// the rows of the request from 0, so a client can match acks to rows.
type insertAck struct {
	Status    string `json:"status"`
	Seq       int64  `json:"seq"`
	ErrorCode int    `json:"error_code,omitempty"`
	Message   string `json:"message,omitempty"`
}

// line is one line of the request body, or the read error that ended it.
type line struct {
	data []byte
	err  error
}

// handleInsertsStream inserts the rows of a long-lived request into a
// stream, acknowledging each. The body is newline-delimited JSON: the
// target ({"target":"S"}) first, then one object per row keyed by column
// name. Acks go back while the client is still sending (full duplex, over
// HTTP/1.1 as over HTTP/2). Rows are inserted with the engine's INSERT
// VALUES, so they get exactly its checks and serialisation.
func (s *Server) handleInsertsStream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // HTTP/2 is full duplex already
	lines := make(chan line)
	done := make(chan struct{})
	defer close(done)
	go s.readLines(r.Body, rc, lines, done)

	first, ok := <-lines
	if !ok || first.err != nil {
		msg := "Invalid request: the body must start with a target object"
		if ok && first.err != nil {
			msg = first.err.Error()
		}
		writeError(w, insertReadStatus(first.err), genericError(insertReadCode(first.err), msg))
		return
	}
	var tgt insertsTarget
	if err := json.Unmarshal(first.data, &tgt); err != nil || tgt.Target == "" {
		msg := "Invalid request: the first object must name the target stream, as {\"target\":\"S\"}"
		if err != nil {
			msg = "Invalid JSON in request: " + err.Error()
		}
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, msg))
		return
	}
	src, ok := s.lookupSource(tgt.Target)
	if !ok {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadStatement, "Cannot insert values into an unknown stream: "+tgt.Target))
		return
	}
	if src.Kind.String() != "STREAM" {
		writeError(w, http.StatusBadRequest, genericError(engine.CodeBadStatement, "Cannot insert values into a table with /inserts-stream: "+src.Name))
		return
	}
	asJSON := acceptsJSON(r.Header.Get("Accept"))
	if asJSON {
		w.Header().Set("Content-Type", mediaJSON)
	} else {
		w.Header().Set("Content-Type", mediaDelimited)
	}
	w.WriteHeader(http.StatusOK)
	// Send the headers now: a client that waits for the response before
	// sending rows must not wait for the first ack.
	_ = rc.Flush()
	out := &ackWriter{f: s.newFlusher(w), asJSON: asJSON}
	defer out.finish()

	sess, eb := s.newSession(r.Context(), tgt.Properties, nil)
	if eb != nil {
		_ = out.ack(insertAck{Status: "error", Seq: 0, ErrorCode: eb.ErrorCode, Message: eb.Message})
		return
	}
	var seq int64
	batch := make([]pendingRow, 0, insertsBatch)
	for {
		var l line
		var ok bool
		select {
		case l, ok = <-lines:
		case <-s.closing:
			return // rows acked so far are in the log; the client sees the stream end
		}
		if !ok {
			return
		}
		if l.err != nil {
			if !errors.Is(l.err, io.EOF) {
				_ = out.ack(insertAck{Status: "error", Seq: seq, ErrorCode: insertReadCode(l.err), Message: l.err.Error()})
			}
			return
		}
		batch = append(batch[:0], pendingRow{seq: seq, data: l.data})
		seq++
		// Take what else already arrived, without waiting for more.
	more:
		for len(batch) < insertsBatch {
			select {
			case l2, ok2 := <-lines:
				if !ok2 {
					break more
				}
				if l2.err != nil {
					s.insertBatch(r.Context(), sess, src, batch, out)
					if !errors.Is(l2.err, io.EOF) {
						_ = out.ack(insertAck{Status: "error", Seq: seq, ErrorCode: insertReadCode(l2.err), Message: l2.err.Error()})
					}
					return
				}
				batch = append(batch, pendingRow{seq: seq, data: l2.data})
				seq++
			default:
				break more
			}
		}
		if !s.insertBatch(r.Context(), sess, src, batch, out) {
			return
		}
	}
}

type pendingRow struct {
	seq  int64
	data []byte
	sql  string
}

// insertBatch inserts rows and acks each; false when the client is gone.
func (s *Server) insertBatch(ctx context.Context, sess *engine.Session, src *planner.Source, rows []pendingRow, out *ackWriter) bool {
	var script strings.Builder
	valid := rows[:0:0]
	for _, p := range rows {
		stmt, err := insertStatement(src, p.data)
		if err != nil {
			s.metrics.insertsErrors.Inc()
			if out.ack(insertAck{Status: "error", Seq: p.seq, ErrorCode: engine.CodeBadRequest, Message: err.Error()}) != nil {
				return false
			}
			continue
		}
		p.sql = stmt
		valid = append(valid, p)
	}
	for len(valid) > 0 {
		script.Reset()
		for _, p := range valid {
			script.WriteString(p.sql)
			script.WriteString(";\n")
		}
		// INSERT VALUES has no result entity (as in ksqlDB), so success is
		// the absence of an error, and a failure names its statement,
		// which tells how many rows before it went in.
		_, err := sess.Execute(ctx, script.String())
		n := len(valid)
		if err != nil {
			n = failedIndex(err, valid)
		}
		for i := 0; i < n; i++ {
			s.metrics.insertsRows.Inc()
			if out.ack(insertAck{Status: "ok", Seq: valid[i].seq}) != nil {
				return false
			}
		}
		if err == nil {
			return true
		}
		code, msg := engine.CodeServerError, err.Error()
		var ee *engine.Error
		if errors.As(err, &ee) {
			code, msg = ee.Code, ee.Message
		}
		s.metrics.insertsErrors.Inc()
		if out.ack(insertAck{Status: "error", Seq: valid[n].seq, ErrorCode: code, Message: msg}) != nil {
			return false
		}
		if ctx.Err() != nil || code == engine.CodeShuttingDown || code >= engine.CodeServerError {
			return false
		}
		valid = valid[n+1:]
	}
	return true
}

// failedIndex finds the row whose statement failed; when the error does
// not name one of them, the first row takes the blame and the others are
// retried.
func failedIndex(err error, rows []pendingRow) int {
	var ee *engine.Error
	if errors.As(err, &ee) {
		stmt := strings.TrimSuffix(strings.TrimSpace(ee.Statement), ";")
		for i, p := range rows {
			if p.sql == stmt {
				return i
			}
		}
	}
	return 0
}

// readLines feeds the body's lines to the handler, bounding each line's
// size and the wait for it, until the body ends or the handler is done.
func (s *Server) readLines(body io.Reader, rc *http.ResponseController, out chan<- line, done <-chan struct{}) {
	defer close(out)
	br := bufio.NewReaderSize(body, 64<<10)
	for {
		_ = rc.SetReadDeadline(time.Now().Add(s.opts.StreamIdleTimeout))
		data, err := readLine(br, s.opts.MaxBodyBytes)
		if err == nil && len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		if err != nil && len(bytes.TrimSpace(data)) > 0 && errors.Is(err, io.EOF) {
			// A last line without a newline is still a line.
			select {
			case out <- line{data: data}:
			case <-done:
				return
			}
		}
		select {
		case out <- line{data: data, err: err}:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}

var errLineTooLong = errors.New("server: a line of the request exceeds the body size limit")

// readLine reads up to a newline; a line over max bytes is an error.
func readLine(br *bufio.Reader, max int64) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if int64(len(buf)) > max {
			return nil, errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return buf, err
		}
		return buf, nil
	}
}

func insertReadCode(err error) int {
	if errors.Is(err, errLineTooLong) {
		return codeTooLarge
	}
	return engine.CodeBadRequest
}

func insertReadStatus(err error) int {
	if errors.Is(err, errLineTooLong) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// ackWriter writes acks delimited (one JSON object per line) or as a JSON
// array.
type ackWriter struct {
	f       flusher
	asJSON  bool
	started bool
}

func (a *ackWriter) ack(ack insertAck) error {
	b := marshal(ack)
	if a.asJSON {
		if a.started {
			b = append([]byte{','}, b...)
		} else {
			b = append([]byte{'['}, b...)
		}
		a.started = true
		return a.f.write(b)
	}
	return a.f.write(append(b, '\n'))
}

func (a *ackWriter) finish() {
	if a.asJSON {
		if a.started {
			_ = a.f.write([]byte("]"))
		} else {
			_ = a.f.write([]byte("[]"))
		}
	}
}

func (s *Server) lookupSource(name string) (*planner.Source, bool) {
	cat := s.eng.Catalog()
	if src, ok := cat.Source(name); ok {
		return src, true
	}
	return cat.Source(strings.ToUpper(name))
}

// insertStatement turns a JSON row into INSERT INTO ... VALUES, with each
// value converted to its column's type and written as a SQL literal.
func insertStatement(src *planner.Source, data []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return "", fmt.Errorf("Invalid JSON in row: %v", err)
	}
	if obj == nil {
		return "", errors.New("A row must be a JSON object")
	}
	var cols, vals []string
	for _, k := range sortedKeys(obj) {
		name, typ := findColumn(src, k)
		if typ == nil {
			return "", fmt.Errorf("Column %s not found in %s", k, src.Name)
		}
		v, err := jsonToValue(obj[k], typ)
		if err != nil {
			return "", fmt.Errorf("Column %s: %v", name, err)
		}
		cols = append(cols, "`"+strings.ReplaceAll(name, "`", "``")+"`")
		vals = append(vals, types.SQLLiteral(v))
	}
	if len(cols) == 0 {
		return "", errors.New("A row must set at least one column")
	}
	return "INSERT INTO `" + strings.ReplaceAll(src.Name, "`", "``") + "` (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")", nil
}

var bigintType = types.MustParseType("BIGINT")

func findColumn(src *planner.Source, key string) (string, *types.Type) {
	for _, c := range src.Columns {
		if c.Name == key {
			return c.Name, c.Type
		}
	}
	for _, c := range src.Columns {
		if strings.EqualFold(c.Name, key) {
			return c.Name, c.Type
		}
	}
	if strings.EqualFold(key, "ROWTIME") {
		return "ROWTIME", bigintType
	}
	return "", nil
}

// jsonToValue converts a decoded JSON value (numbers as json.Number) to
// the Go representation of SQL type t.
func jsonToValue(v any, t *types.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	text := func() string {
		switch v := v.(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		case bool:
			if v {
				return "true"
			}
			return "false"
		}
		b := marshal(v)
		return string(b)
	}
	switch t.Kind {
	case types.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return types.ParseBoolean(text())
	case types.Integer:
		return types.ParseInteger(text())
	case types.Bigint:
		return types.ParseBigint(text())
	case types.Double:
		return types.ParseDouble(text())
	case types.DecimalKind:
		d, err := types.ParseDecimal(text())
		if err != nil {
			return nil, err
		}
		return d.Fit(t.Precision, t.Scale)
	case types.String:
		return text(), nil
	case types.Bytes:
		return base64.StdEncoding.DecodeString(text())
	case types.DateKind:
		if n, ok := v.(json.Number); ok {
			d, err := n.Int64()
			return types.Date(d), err
		}
		return types.ParseDate(text())
	case types.TimeKind:
		if n, ok := v.(json.Number); ok {
			d, err := n.Int64()
			return types.Time(d), err
		}
		return types.ParseTime(text())
	case types.TimestampKind:
		if n, ok := v.(json.Number); ok {
			d, err := n.Int64()
			return types.Timestamp(d), err
		}
		return types.ParseTimestamp(text())
	case types.Array:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("expected an array for %s", t)
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			ev, err := jsonToValue(e, t.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	case types.MapKind:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("expected an object for %s", t)
		}
		m := &types.Map{}
		for _, k := range sortedKeys(obj) {
			kv, err := jsonToValue(k, t.Key)
			if err != nil {
				return nil, err
			}
			vv, err := jsonToValue(obj[k], t.Elem)
			if err != nil {
				return nil, err
			}
			m.Put(kv, vv)
		}
		return m, nil
	case types.StructKind:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("expected an object for %s", t)
		}
		st := &types.Struct{Type: t, Values: make([]any, len(t.Fields))}
		for k, fv := range obj {
			idx := -1
			for i, f := range t.Fields {
				if f.Name == k || (idx < 0 && strings.EqualFold(f.Name, k)) {
					idx = i
				}
			}
			if idx < 0 {
				return nil, fmt.Errorf("no field %s in %s", k, t)
			}
			val, err := jsonToValue(fv, t.Fields[idx].Type)
			if err != nil {
				return nil, err
			}
			st.Values[idx] = val
		}
		return st, nil
	}
	return nil, fmt.Errorf("cannot insert a value of type %s", t)
}
