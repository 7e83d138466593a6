package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
)

// Session is one client's conversation with the engine: its own property
// overrides (SET/UNSET) and variables (DEFINE/UNDEFINE), as a ksqlDB CLI or
// REST session has. A Session is not safe for concurrent Execute calls; use
// one per client.
type Session struct {
	e     *Engine
	mu    sync.Mutex
	props map[string]string // SET values, overlaid on the engine's
	vars  map[string]string // DEFINE values, keys lower-cased

	// resume, when set, makes catalog-changing statements that match the
	// next already-applied command no-ops (headless re-runs). cursor is
	// the index of the next command to match in applied.
	resume  bool
	applied []command
	cursor  int
	depth   int // RUN SCRIPT nesting
}

// NewSession starts a session with no overrides and no variables.
func (e *Engine) NewSession() *Session {
	return &Session{e: e, props: map[string]string{}, vars: map[string]string{}}
}

// ResumeApplied makes the session recognise statements that were already
// applied in an earlier run: while the statements it executes match, one
// for one and in order, the commands at the start of the command topic, they
// are skipped (reported with an "Already applied" status) instead of failing
// with "already exists" or inserting rows twice. A statement that does not
// match runs; once one records a new command the matching ends. Headless
// mode uses it so that running the same files on the same data directory
// resumes the deployment.
func (s *Session) ResumeApplied(ctx context.Context) error {
	cmds, err := s.e.cmds.readAll(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resume, s.applied, s.cursor = true, cmds, 0
	return nil
}

// Set sets a session property as SET does, validating the properties the
// engine reads. Front ends use it for properties that arrive with a
// request (the REST API's streamsProperties) rather than in SQL text.
func (s *Session) Set(name, value string) error {
	if err := checkProperty(name, value); err != nil {
		return &Error{Code: CodeBadStatement, Message: err.Error()}
	}
	s.mu.Lock()
	s.props[name] = value
	s.mu.Unlock()
	return nil
}

// Define defines a session variable as DEFINE does (names are
// case-insensitive), for variables that arrive with a request.
func (s *Session) Define(name, value string) {
	s.mu.Lock()
	s.vars[strings.ToLower(name)] = value
	s.mu.Unlock()
}

// Properties returns the session's effective properties: the engine's
// with the session's SET values on top.
func (s *Session) Properties() map[string]string {
	p := s.e.Properties()
	s.mu.Lock()
	maps.Copy(p, s.props)
	s.mu.Unlock()
	return p
}

// Overrides returns the session's SET values only.
func (s *Session) Overrides() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.props)
}

// Variables returns the session's variables (names lower-cased).
func (s *Session) Variables() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.vars)
}

// Execute runs a script statement by statement. Each statement's variable
// references are substituted with the variables defined so far (so a DEFINE
// affects the statements after it), then it is parsed and run. Execution
// stops at the first failing statement; the results of the statements
// before it are returned with an *Error for it.
//
// A push query (SELECT ... EMIT CHANGES) returns a *RowStream that the
// caller must drain or Close; the statements after it in the script run
// while it streams.
func (s *Session) Execute(ctx context.Context, sql string) ([]Result, error) {
	if s.e.closed() {
		return nil, &Error{Code: CodeShuttingDown, Message: "engine: closed", Err: ErrClosed}
	}
	stmts, err := parser.ParseScript(sql)
	if err != nil {
		return nil, prepareError(err, strings.TrimSpace(sql))
	}
	var results []Result
	for _, p := range stmts {
		r, err := s.executeOne(ctx, p.Text, p.Pos)
		if err != nil {
			return results, err
		}
		if r != nil {
			results = append(results, r)
		}
	}
	return results, nil
}

// executeOne substitutes, parses and runs one statement; at is where it
// starts in the script.
func (s *Session) executeOne(ctx context.Context, text string, at ast.Pos) (Result, error) {
	text = strings.TrimSpace(text)
	props := s.Properties()
	if !strings.EqualFold(props["ksql.variable.substitution.enable"], "false") {
		sub, err := parser.Substitute(text, s.Variables())
		if err != nil {
			return nil, asEngineError(err, text)
		}
		text = sub
	}
	stmt, err := parser.ParseStatement(text)
	if err != nil {
		return nil, prepareError(err, text)
	}
	r, err := s.safeDispatch(ctx, stmt, text, props)
	if err != nil {
		return nil, scriptPosition(asEngineError(err, text), at)
	}
	return r, nil
}

// scriptPosition makes the position a planner error prints count lines
// and columns across the script, as ksqlDB does (it parses the script as a
// whole): "Line: 2, Col: 13" for the second statement's line. Pos stays
// relative to the statement text, which is what carets are drawn under.
func scriptPosition(ee *Error, at ast.Pos) *Error {
	var ple *planner.Error
	if at.Line <= 0 || (at.Line == 1 && at.Col <= 1) || !errors.As(ee.Err, &ple) ||
		ple.Pos.Line <= 0 || ple.NoPosInMessage || ee.Message != ple.Error() {
		return ee
	}
	line, col := ple.Pos.Line+at.Line-1, ple.Pos.Col
	if ple.Pos.Line == 1 {
		col += at.Col - 1
	}
	ee.Message = fmt.Sprintf("Line: %d, Col: %d: %s", line, col, ple.Msg)
	return ee
}

// safeDispatch runs dispatch and turns a panic in the code it calls (the
// planner, the runtime) into a server error for this statement: one bad
// statement must not take the engine down with every running query.
func (s *Session) safeDispatch(ctx context.Context, stmt ast.Statement, text string, props map[string]string) (r Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.e.logf("engine: panic running %q: %v\n%s", text, p, debug.Stack())
			r, err = nil, &Error{Code: CodeServerError, Statement: text,
				Message: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	return s.dispatch(ctx, stmt, text, props)
}

// dispatch runs a parsed statement.
func (s *Session) dispatch(ctx context.Context, stmt ast.Statement, text string, props map[string]string) (Result, error) {
	switch st := stmt.(type) {
	case *ast.SetProperty:
		return s.set(ctx, st, text)
	case *ast.UnsetProperty:
		return s.unset(st, text)
	case *ast.DefineVariable:
		s.mu.Lock()
		s.vars[strings.ToLower(st.Name)] = st.Value
		s.mu.Unlock()
		return nil, nil
	case *ast.UndefineVariable:
		s.mu.Lock()
		_, ok := s.vars[strings.ToLower(st.Name)]
		delete(s.vars, strings.ToLower(st.Name))
		s.mu.Unlock()
		if !ok {
			return &Warning{Statement: text, Message: "Cannot undefine variable '" + st.Name + "' which was never defined"}, nil
		}
		return nil, nil
	case *ast.RunScript:
		return s.runScript(ctx, st, text)
	case *ast.Show:
		return s.show(ctx, st, text)
	case *ast.DescribeSources:
		return s.describeSources(ctx, st, text)
	case *ast.DescribeSource:
		return s.describeSource(ctx, st, text)
	case *ast.DescribeFunction:
		return s.describeFunction(st, text)
	case *ast.Explain:
		return s.explain(ctx, st, text, props)
	case *ast.Print:
		return s.print(ctx, st, text)
	case *ast.QueryStatement:
		return s.pushQuery(ctx, st, text, props)
	case *ast.AssertTopic:
		return s.assertTopic(ctx, st, text)
	case *ast.AssertSchema:
		return nil, errorf(st, "Cannot check schema existence: no schema registry is configured (ksql.schema.registry.url)")
	case *ast.CreateConnector, *ast.DropConnector, *ast.DescribeConnector:
		return nil, errorf(stmt, "Connectors are not supported: Sluice does not embed Kafka Connect")
	case *ast.InsertValues:
		return s.changing(ctx, stmt, text, props, kindData)
	case *ast.QueryControl:
		// TERMINATE of a push query ends it here: it is not in the catalog
		// and nothing is recorded.
		if p, ok := s.e.push.get(st.QueryID); ok && st.Action == ast.Terminate && !st.All {
			p.close()
			return &Status{Statement: text, Message: "Query terminated.", CommandSeq: -1}, nil
		}
		return s.changing(ctx, stmt, text, props, kindCatalog)
	case *ast.CreateSource, *ast.CreateAsSelect, *ast.InsertInto, *ast.DropSource, *ast.DropType,
		*ast.CreateType, *ast.AlterSource:
		return s.changing(ctx, stmt, text, props, kindCatalog)
	}
	return nil, errorf(stmt, "Statement not supported: %s", firstWord(text))
}

// changing runs a statement recorded in the command topic: under the
// engine's ddlMu, it is skipped if it matches an already applied command
// (headless resume), else applied and recorded.
func (s *Session) changing(ctx context.Context, stmt ast.Statement, text string, props map[string]string, kind string) (Result, error) {
	e := s.e
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	if e.closed() {
		return nil, &Error{Code: CodeShuttingDown, Message: "engine: closed", Err: ErrClosed}
	}
	cmd := command{Statement: text, Properties: s.Overrides(), Kind: kind}
	if len(cmd.Properties) == 0 {
		cmd.Properties = nil
	}
	if s.resume && s.cursor < len(s.applied) && s.applied[s.cursor].same(cmd) {
		prev := s.applied[s.cursor]
		s.cursor++
		return &Status{Statement: text, Message: "Already applied", QueryID: prev.QueryID, CommandSeq: prev.Seq}, nil
	}
	r, err := e.apply(ctx, stmt, cmd, props, false)
	if _, noop := r.(*Warning); err == nil && !noop {
		// The statement recorded a new command: the history no longer
		// lines up with the files, so matching ends here. A statement that
		// changed nothing (IF NOT EXISTS on an existing source) keeps it.
		s.resume = false
	}
	return r, err
}

func (s *Session) set(ctx context.Context, st *ast.SetProperty, text string) (Result, error) {
	if err := checkProperty(st.Name, st.Value); err != nil {
		return nil, &Error{Code: CodeBadStatement, Pos: st.Pos, Message: err.Error()}
	}
	if st.System {
		e := s.e
		e.ddlMu.Lock()
		defer e.ddlMu.Unlock()
		return e.apply(ctx, st, command{Statement: text, Kind: kindCatalog}, nil, false)
	}
	s.mu.Lock()
	s.props[st.Name] = st.Value
	s.mu.Unlock()
	return &PropertyChange{Statement: text, Name: st.Name, Value: st.Value,
		Message: "Successfully changed local property '" + st.Name + "' to '" + st.Value + "'."}, nil
}

func (s *Session) unset(st *ast.UnsetProperty, text string) (Result, error) {
	s.mu.Lock()
	old, ok := s.props[st.Name]
	delete(s.props, st.Name)
	s.mu.Unlock()
	msg := "Successfully unset local property '" + st.Name + "' (value was '" + old + "')."
	if !ok {
		msg = "Local property '" + st.Name + "' was not set."
	}
	return &PropertyChange{Statement: text, Name: st.Name, Unset: true, Message: msg}, nil
}

// runScript executes a file's statements in this session, as the ksqlDB
// CLI does. The server does not read client files, so unless the engine is
// configured for client-side use the statement is unknown, with ksqlDB's
// message.
func (s *Session) runScript(ctx context.Context, st *ast.RunScript, text string) (Result, error) {
	if !s.e.cfg.ClientSide {
		return nil, errorf(st, "line %d:%d: Syntax Error\nUnknown statement 'RUN'", st.Line, st.Col)
	}
	if s.depth >= 16 {
		return nil, errorf(st, "RUN SCRIPT nested too deeply (a script runs itself?)")
	}
	data, err := os.ReadFile(st.Path)
	if err != nil {
		return nil, errorf(st, "Failed to read file: %s", st.Path)
	}
	s.depth++
	defer func() { s.depth-- }()
	rs, err := s.Execute(ctx, string(data))
	out := &ScriptResult{Statement: text, Results: rs}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prepareError converts a parse failure. ksqlDB reports errors found while
// building a statement (a literal out of range, a misplaced KEY) as a
// failure to prepare it; syntax errors keep their own form.
func prepareError(err error, text string) *Error {
	ee := asEngineError(err, text)
	var pe *parser.Error
	if errors.As(err, &pe) && !strings.Contains(pe.Error(), "Syntax Error") {
		ee.Message = "Failed to prepare statement: " + ee.Message
	}
	return ee
}

// firstWord returns the statement keyword, for messages.
func firstWord(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
