package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/server"
	"github.com/sluicedb/sluice/types"
)

// restEngine runs a REST case's statements through Sluice's REST server
// over real HTTP on a loopback port: statements as POST /ksql, queries as
// POST /query (a chunked JSON array), the way ksqlDB's REST test runner
// drives ksqlDB. Topics, inputs, outputs and the catalog are still reached
// in-process through the embedded engine, as ksqlDB's runner reaches Kafka.
type restEngine struct {
	*realEngine
	srv    *server.Server
	base   string
	client *http.Client
	// props are the request's streamsProperties: the case's properties
	// and what its SET statements changed (the REST API is stateless, so
	// the client carries them, as ksqlDB's clients do).
	props map[string]string
}

// serveREST starts a server for re on 127.0.0.1:0.
func serveREST(re *realEngine, props map[string]string) (Engine, error) {
	srv, err := server.New(re.e, server.Options{})
	if err != nil {
		re.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		re.Close()
		return nil, err
	}
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Shutdown
	p := make(map[string]string, len(props))
	for k, v := range props {
		p[k] = v
	}
	return &restEngine{
		realEngine: re,
		srv:        srv,
		base:       "http://" + ln.Addr().String(),
		client:     &http.Client{},
		props:      p,
	}, nil
}

// restError is an error body of the REST API.
type restError struct {
	Status  int
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func (e *restError) Error() string { return e.Message }

func (r *restEngine) post(ctx context.Context, path, stmt string) (*http.Response, error) {
	body, err := json.Marshal(map[string]any{"ksql": stmt, "streamsProperties": r.props})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/vnd.ksql.v1+json")
	req.Header.Set("Accept", "application/vnd.ksql.v1+json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		e := &restError{Status: resp.StatusCode}
		raw, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(raw, e) != nil || e.Message == "" {
			e.Message = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(raw)))
		}
		return nil, e
	}
	return resp, nil
}

// Execute implements Engine: POST /ksql with the statement.
func (r *restEngine) Execute(ctx context.Context, stmt string) error {
	r.trackProperties(stmt)
	resp, err := r.post(ctx, "/ksql", stmt)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return err
}

// trackProperties keeps SET/UNSET in the client's properties, so later
// requests carry them.
func (r *restEngine) trackProperties(stmt string) {
	st, err := parser.ParseStatement(stmt)
	if err != nil {
		return
	}
	switch s := st.(type) {
	case *ast.SetProperty:
		if !s.System {
			r.props[s.Name] = s.Value
		}
	case *ast.UnsetProperty:
		delete(r.props, s.Name)
	}
}

// Query implements Querier: POST /query, reading the streamed JSON array
// (a header with the schema, rows with their tombstone flag, then a final
// or error message).
func (r *restEngine) Query(ctx context.Context, stmt string) (*Rows, error) {
	qctx, cancel := context.WithCancel(context.Background())
	resp, err := r.post(qctx, "/query", stmt)
	if err != nil {
		cancel()
		return nil, err
	}
	closeAll := func() { cancel(); resp.Body.Close() }
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		closeAll()
		return nil, fmt.Errorf("conformance: /query did not start a JSON array: %v", err)
	}
	var first struct {
		Header *struct {
			Schema string `json:"schema"`
		} `json:"header"`
		ErrorMessage any `json:"errorMessage"`
	}
	if err := dec.Decode(&first); err != nil {
		closeAll()
		return nil, fmt.Errorf("conformance: /query header: %w", err)
	}
	if first.Header == nil {
		closeAll()
		return nil, fmt.Errorf("conformance: /query sent no header: %v", first.ErrorMessage)
	}
	cols, err := parseSchema(first.Header.Schema)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("conformance: /query header schema %q: %w", first.Header.Schema, err)
	}
	columns := make([]types.Column, len(cols))
	for i, c := range cols {
		columns[i] = c.col
	}
	type row struct {
		Columns   []any `json:"columns"`
		Tombstone bool  `json:"tombstone"`
	}
	rows := make(chan row)
	go func() {
		defer close(rows)
		for dec.More() {
			var el struct {
				Row *row `json:"row"`
			}
			if err := dec.Decode(&el); err != nil {
				return
			}
			if el.Row == nil {
				continue // finalMessage, errorMessage
			}
			select {
			case rows <- *el.Row:
			case <-qctx.Done():
				return
			}
		}
	}()
	var last bool
	return &Rows{
		Columns: columns,
		Next: func(ctx context.Context) ([]any, bool) {
			select {
			case r, ok := <-rows:
				last = r.Tombstone
				return r.Columns, ok
			case <-ctx.Done():
				return nil, false
			}
		},
		Tombstone: func() bool { return last },
		Close:     closeAll,
	}, nil
}

// Close shuts the server down, then the engine and its log.
func (r *restEngine) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("conformance: REST server shutdown: %w", err)
	} else {
		err = nil
	}
	return errors.Join(err, r.realEngine.Close())
}
