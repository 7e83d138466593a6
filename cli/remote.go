package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
)

// Media types of ksqlDB's REST API the client asks for.
const (
	ksqlMediaType      = "application/vnd.ksql.v1+json"
	delimitedMediaType = "application/vnd.ksqlapi.delimited.v1"
)

// maxErrorBody bounds how much of an error response the client reads.
const maxErrorBody = 1 << 20

// Remote is the backend for `--server URL`: a client of the ksqlDB REST
// API, so it works against Sluice's server and, for the statements they
// share, against ksqlDB itself. Like ksqlDB's CLI it keeps SET properties
// and DEFINE variables on the client and sends them with every request,
// because the REST API has no server-side session.
type Remote struct {
	base   *url.URL
	client *http.Client

	props map[string]string
	vars  map[string]string
}

// NewRemote returns a client of the server at serverURL ("http://host:8088").
// A nil client means http.DefaultClient.
func NewRemote(serverURL string, client *http.Client) (*Remote, error) {
	if !strings.Contains(serverURL, "://") {
		serverURL = "http://" + serverURL
	}
	u, err := url.Parse(strings.TrimRight(serverURL, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("cli: bad server URL %q", serverURL)
	}
	if client == nil {
		client = http.DefaultClient
	}
	return &Remote{base: u, client: client, props: map[string]string{}, vars: map[string]string{}}, nil
}

// Target implements Backend.
func (r *Remote) Target() string { return "server " + r.base.String() }

// Close implements Backend; the client holds nothing to release.
func (r *Remote) Close() error { return nil }

// Info asks GET /info for the server's version, which the shell checks
// before its first prompt so that a wrong URL fails at once.
func (r *Remote) Info(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base.String()+"/info", nil)
	if err != nil {
		return "", err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("cli: cannot reach %s: %w", r.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", decodeError(resp, "")
	}
	var info struct {
		KsqlServerInfo struct {
			Version string `json:"version"`
		} `json:"KsqlServerInfo"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&info); err != nil {
		return "", fmt.Errorf("cli: bad /info response: %w", err)
	}
	return info.KsqlServerInfo.Version, nil
}

// Execute implements Backend.
func (r *Remote) Execute(ctx context.Context, stmt string) ([]Result, error) {
	w := firstWords(stmt, 2)
	if len(w) == 0 {
		return nil, nil
	}
	switch w[0] {
	case "SELECT", "PRINT":
		return r.query(ctx, stmt)
	case "SET", "UNSET", "DEFINE", "UNDEFINE":
		return r.local(stmt)
	case "SHOW", "LIST":
		if len(w) > 1 && w[1] == "VARIABLES" {
			return []Result{r.variables(stmt)}, nil
		}
	}
	return r.ksql(ctx, stmt)
}

// local runs the statements the client keeps itself: SET, UNSET, DEFINE
// and UNDEFINE, with the engine's messages.
func (r *Remote) local(stmt string) ([]Result, error) {
	text, err := parser.Substitute(stmt, r.vars)
	if err != nil {
		return nil, &StatementError{Code: 40001, Statement: stmt, Message: err.Error()}
	}
	p, err := parser.ParseStatement(text)
	if err != nil {
		se := &StatementError{Code: 40001, Statement: text, Message: err.Error()}
		if pe, ok := err.(*parser.Error); ok {
			se.Line, se.Col = pe.Line, pe.Col
		}
		return nil, se
	}
	switch p := p.(type) {
	case *ast.SetProperty:
		if p.System {
			return r.ksql(context.Background(), stmt)
		}
		r.props[p.Name] = p.Value
		return []Result{&Message{Statement: stmt, Text: "Successfully changed local property '" + p.Name + "' to '" + p.Value + "'."}}, nil
	case *ast.UnsetProperty:
		old, ok := r.props[p.Name]
		delete(r.props, p.Name)
		if !ok {
			return []Result{&Message{Statement: stmt, Text: "Local property '" + p.Name + "' was not set."}}, nil
		}
		return []Result{&Message{Statement: stmt, Text: "Successfully unset local property '" + p.Name + "' (value was '" + old + "')."}}, nil
	case *ast.DefineVariable:
		r.vars[strings.ToLower(p.Name)] = p.Value
		return nil, nil
	case *ast.UndefineVariable:
		name := strings.ToLower(p.Name)
		if _, ok := r.vars[name]; !ok {
			return []Result{&Message{Statement: stmt, Warning: true, Text: "Cannot undefine variable '" + p.Name + "' which was never defined"}}, nil
		}
		delete(r.vars, name)
		return nil, nil
	}
	return r.ksql(context.Background(), stmt)
}

func (r *Remote) variables(stmt string) Result {
	t := &Table{Statement: stmt, Columns: []string{"Variable Name", "Value"}}
	names := make([]string, 0, len(r.vars))
	for n := range r.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Rows = append(t.Rows, []string{n, r.vars[n]})
	}
	return t
}

// post sends a JSON request and returns the response; a non-2xx status is
// decoded into an error.
func (r *Remote) post(ctx context.Context, path, accept string, body any, stmt string) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base.String()+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cli: %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, decodeError(resp, stmt)
	}
	return resp, nil
}

// ksql sends a statement to POST /ksql and translates the entities.
func (r *Remote) ksql(ctx context.Context, stmt string) ([]Result, error) {
	resp, err := r.post(ctx, "/ksql", ksqlMediaType, map[string]any{
		"ksql": stmt, "streamsProperties": r.props, "sessionVariables": r.vars,
	}, stmt)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var entities []map[string]any
	if err := dec.Decode(&entities); err != nil {
		return nil, fmt.Errorf("cli: bad /ksql response: %w", err)
	}
	var out []Result
	for _, e := range entities {
		out = append(out, fromEntity(e, stmt)...)
	}
	return out, nil
}

// decodeError reads ksqlDB's error body ({"@type","error_code","message"}).
func decodeError(resp *http.Response, stmt string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var e struct {
		Code          int    `json:"error_code"`
		Message       string `json:"message"`
		StatementText string `json:"statementText"`
	}
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return fmt.Errorf("cli: server answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return statementError(e.Code, e.Message, e.StatementText, stmt)
}

func statementError(code int, msg, text, stmt string) *StatementError {
	if text == "" {
		text = stmt
	}
	se := &StatementError{Code: code, Statement: text, Message: msg}
	se.Line, se.Col = positionFromMessage(msg)
	return se
}

// query runs a push or pull query (or PRINT) through POST /query-stream
// in the delimited format: a header line, then one JSON array per row. It
// asks for a table's tombstones (tombstones=true), which a Sluice server
// sends as /query's row objects with "tombstone": true, and ksqlDB's
// server leaves out.
func (r *Remote) query(ctx context.Context, stmt string) ([]Result, error) {
	qctx, cancel := context.WithCancel(context.Background())
	// Until the header arrives, the caller's ctx (Ctrl-C) cancels too.
	stop := context.AfterFunc(ctx, cancel)
	resp, err := r.post(qctx, "/query-stream", delimitedMediaType+";tombstones=true", map[string]any{
		"sql": stmt, "properties": r.props, "sessionVariables": r.vars,
	}, stmt)
	stop()
	if err != nil {
		cancel()
		return nil, err
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	first, rerr := readLine(br)
	if rerr != nil && first == "" {
		resp.Body.Close()
		cancel()
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, fmt.Errorf("cli: /query-stream ended before its header: %w", rerr)
	}
	ls := &lineStream{body: resp.Body, br: br, cancel: cancel, lines: make(chan string), done: make(chan struct{})}
	var header struct {
		QueryID     string   `json:"queryId"`
		ColumnNames []string `json:"columnNames"`
		ColumnTypes []string `json:"columnTypes"`
	}
	if strings.HasPrefix(first, "{") && json.Unmarshal([]byte(first), &header) == nil && header.ColumnNames != nil {
		go ls.run("")
		s := &Stream{Statement: stmt, QueryID: header.QueryID, Limited: hasLimit(stmt)}
		for i, n := range header.ColumnNames {
			c := Column{Name: n}
			if i < len(header.ColumnTypes) {
				c.Type = header.ColumnTypes[i]
			}
			s.Columns = append(s.Columns, c)
		}
		var tomb bool
		s.Tombstone = func() bool { return tomb }
		s.Next = func(ctx context.Context) ([]any, bool) {
			for {
				line, ok := ls.next(ctx)
				if !ok {
					return nil, false
				}
				row, isTomb, err := decodeRow(line)
				if err != nil {
					ls.fail(err)
					return nil, false
				}
				if row != nil {
					tomb = isTomb
					return row, true
				}
			}
		}
		s.Err = ls.error
		s.Close = func() {
			ended := ls.ended.Load()
			ls.close()
			if !ended {
				r.closeQuery(header.QueryID)
			}
		}
		return []Result{s}, nil
	}
	if e := errorLine(first); e != nil {
		resp.Body.Close()
		cancel()
		return nil, e
	}
	// PRINT: the body is the formatted records, one per line.
	go ls.run(first)
	return []Result{&Lines{Statement: stmt, Next: ls.next, Err: ls.error, Close: ls.close}}, nil
}

// closeQuery tells the server to stop a push query the user interrupted.
// Dropping the connection already does, so this is best effort.
func (r *Remote) closeQuery(id string) {
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := r.post(ctx, "/close-query", "application/json", map[string]string{"queryId": id}, "")
	if err == nil {
		resp.Body.Close()
	}
}

// lineStream hands the lines of a streamed response to Next calls, so a
// blocked read can be abandoned when the caller's context ends.
type lineStream struct {
	body   io.ReadCloser
	br     *bufio.Reader
	cancel context.CancelFunc
	lines  chan string
	done   chan struct{}

	once sync.Once
	mu   sync.Mutex
	err  error
	// ended is set when the server ended the response itself (LIMIT
	// reached, an error), so there is no query left to close.
	ended atomic.Bool
}

func (ls *lineStream) run(first string) {
	defer close(ls.lines)
	defer ls.ended.Store(true)
	if first != "" {
		select {
		case ls.lines <- first:
		case <-ls.done:
			return
		}
	}
	for {
		line, err := readLine(ls.br)
		if line != "" {
			if e := errorLine(line); e != nil {
				ls.fail(e)
				return
			}
			select {
			case ls.lines <- line:
			case <-ls.done:
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				select {
				case <-ls.done: // closed by us: not an error
				default:
					ls.fail(fmt.Errorf("cli: query stream: %w", err))
				}
			}
			return
		}
	}
}

func (ls *lineStream) next(ctx context.Context) (string, bool) {
	select {
	case line, ok := <-ls.lines:
		return line, ok
	case <-ctx.Done():
		return "", false
	}
}

func (ls *lineStream) fail(err error) {
	ls.mu.Lock()
	if ls.err == nil {
		ls.err = err
	}
	ls.mu.Unlock()
}

func (ls *lineStream) error() error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.err
}

func (ls *lineStream) close() {
	ls.once.Do(func() {
		close(ls.done)
		ls.cancel()
		ls.body.Close()
	})
}

// readLine reads one line without its end; blank lines are skipped.
func readLine(br *bufio.Reader) (string, error) {
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line != "" || err != nil {
			return line, err
		}
	}
}

// errorLine recognises an error object in a stream ({"@type":...,
// "error_code":..., "message":...}), which ends it.
func errorLine(line string) error {
	if !strings.HasPrefix(line, "{") || !strings.Contains(line, "error_code") {
		return nil
	}
	var e struct {
		Code    int    `json:"error_code"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(line), &e) != nil || e.Message == "" {
		return nil
	}
	return statementError(e.Code, e.Message, "", "")
}

// decodeRow decodes one row array into the JSON model, keeping object keys
// in order, or a tombstone ({"row":{"columns":[...],"tombstone":true}}).
// Other lines (a final message) give nil.
func decodeRow(line string) (row []any, tombstone bool, err error) {
	isTomb := strings.HasPrefix(line, `{"row":`) && strings.Contains(line, `"tombstone":true`)
	if !strings.HasPrefix(line, "[") && !isTomb {
		return nil, false, nil
	}
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, false, fmt.Errorf("cli: bad row %q: %w", line, err)
	}
	if o, ok := v.(*Object); ok {
		v, tombstone = tombstoneColumns(o)
	}
	row, _ = v.([]any)
	if row == nil {
		row = []any{}
	}
	return row, tombstone, nil
}

// tombstoneColumns reads the columns of a StreamedRow object marked as a
// tombstone.
func tombstoneColumns(o *Object) (cols any, tombstone bool) {
	for i, k := range o.Keys {
		if k != "row" {
			continue
		}
		inner, ok := o.Values[i].(*Object)
		if !ok {
			return nil, false
		}
		for j, ik := range inner.Keys {
			switch ik {
			case "columns":
				cols = inner.Values[j]
			case "tombstone":
				tombstone = inner.Values[j] == true
			}
		}
	}
	return cols, tombstone
}

// decodeOrdered decodes the next JSON value, objects as *Object.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		case '{':
			o := &Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				o.Keys = append(o.Keys, k)
				o.Values = append(o.Values, v)
			}
			_, err := dec.Token()
			return o, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}
