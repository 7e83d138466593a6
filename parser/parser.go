// Package parser turns ksqlDB-dialect SQL text into the AST of package ast.
//
// Parsing runs in two stages, as ANTLR recommends for speed: first with SLL
// prediction and an error strategy that gives up at the first error (fast,
// and right for nearly every valid statement), then, only if that fails,
// again with full LL prediction and error reporting, which either succeeds
// (SLL was too weak for the input) or produces the positioned error.
//
// No panic escapes the entry points: a failure inside the generated parser
// or the AST builder is returned as *InternalError, and tests (fuzzing
// among them) fail if that ever happens.
package parser

import (
	"strings"
	"sync/atomic"

	"github.com/antlr4-go/antlr/v4"
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/parser/gen"
)

// Parsed is one statement of a script together with its source text.
type Parsed struct {
	Statement ast.Statement
	// Text is the statement as written, without the terminating semicolon.
	Text string
	// Pos is where the statement starts in the script.
	Pos ast.Pos
	// Comments are the comments between the previous statement (or the
	// start of the script) and this one, as written, one per entry; an
	// empty entry stands for one or more blank lines, which formatters
	// keep.
	Comments []string
	// HasInnerComments reports comments inside the statement text; the
	// AST does not hold them, so a formatter that wants to keep them must
	// print Text as written.
	HasInnerComments bool
}

// Script is a parsed script: its statements and the comments after the
// last one (in the form of Parsed.Comments).
type Script struct {
	Statements []Parsed
	Trailing   []string
}

// internalErrors counts recovered panics, for tests.
var internalErrors atomic.Int64

// InternalErrorCount returns how many internal errors (recovered panics)
// the parser has produced in this process. Tests assert it stays zero.
func InternalErrorCount() int64 { return internalErrors.Load() }

// ParseScript parses a script of statements separated by semicolons (the
// last one may omit it). Comments are allowed anywhere.
func ParseScript(sql string) ([]Parsed, error) {
	s, err := ParseFile(sql)
	if err != nil {
		return nil, err
	}
	return s.Statements, nil
}

// ParseFile parses a script like ParseScript and also keeps its comments,
// for tools that rewrite files (`sluice fmt`).
func ParseFile(sql string) (*Script, error) {
	out := &Script{}
	err := run(sql, func(p *gen.SluiceParser) antlr.ParserRuleContext { return p.Statements() },
		func(tree antlr.ParserRuleContext, input *antlr.InputStream, tokens *antlr.CommonTokenStream) {
			var b builder
			all := tokens.GetAllTokens()
			prevStop := -1
			for _, st := range tree.(*gen.StatementsContext).AllStatement() {
				start, stop := st.GetStart(), st.GetStop()
				ps := Parsed{
					Statement: b.statement(st),
					Text:      input.GetText(start.GetStart(), stop.GetStop()),
					Pos:       tokPos(start),
				}
				ps.Comments = comments(all, prevStop+1, start.GetTokenIndex())
				for _, c := range comments(all, start.GetTokenIndex()+1, stop.GetTokenIndex()) {
					ps.HasInnerComments = ps.HasInnerComments || c != ""
				}
				out.Statements = append(out.Statements, ps)
				prevStop = stop.GetTokenIndex()
				// The semicolon ending the statement is not part of it.
				if prevStop+1 < len(all) && all[prevStop+1].GetTokenType() == gen.SluiceParserSEMICOLON {
					prevStop++
				}
			}
			out.Trailing = comments(all, prevStop+1, len(all))
			for len(out.Trailing) > 0 && out.Trailing[len(out.Trailing)-1] == "" {
				out.Trailing = out.Trailing[:len(out.Trailing)-1]
			}
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// comments returns the comments among tokens[from:to], with "" entries
// where blank lines separate them (or separate them from what precedes or
// follows). Blank lines at the very start of the input are dropped.
func comments(tokens []antlr.Token, from, to int) []string {
	var out []string
	for i := from; i < to && i < len(tokens); i++ {
		t := tokens[i]
		switch t.GetTokenType() {
		case gen.SluiceParserSIMPLE_COMMENT, gen.SluiceParserBRACKETED_COMMENT:
			out = append(out, strings.TrimRight(t.GetText(), "\r\n"))
		case gen.SluiceParserWS:
			// A -- comment swallows its own newline, so one more newline
			// after it is already a blank line.
			n := strings.Count(t.GetText(), "\n")
			if i > 0 && tokens[i-1].GetTokenType() == gen.SluiceParserSIMPLE_COMMENT {
				n++
			}
			if n >= 2 && i > 0 && (len(out) == 0 || out[len(out)-1] != "") {
				out = append(out, "")
			}
		}
	}
	return out
}

// ParseStatement parses exactly one statement; a trailing semicolon is
// optional.
func ParseStatement(sql string) (ast.Statement, error) {
	var out ast.Statement
	err := run(sql, func(p *gen.SluiceParser) antlr.ParserRuleContext { return p.SingleStatement() },
		func(tree antlr.ParserRuleContext, _ *antlr.InputStream, _ *antlr.CommonTokenStream) {
			out = builder{}.statement(tree.(*gen.SingleStatementContext).Statement())
		})
	return out, err
}

// ParseExpression parses a standalone expression.
func ParseExpression(sql string) (ast.Expr, error) {
	var out ast.Expr
	err := run(sql, func(p *gen.SluiceParser) antlr.ParserRuleContext { return p.SingleExpression() },
		func(tree antlr.ParserRuleContext, _ *antlr.InputStream, _ *antlr.CommonTokenStream) {
			out = builder{}.expression(tree.(*gen.SingleExpressionContext).Expression())
		})
	return out, err
}

// run parses sql with the given start rule and hands the tree to build.
func run(sql string, start func(*gen.SluiceParser) antlr.ParserRuleContext,
	build func(antlr.ParserRuleContext, *antlr.InputStream, *antlr.CommonTokenStream)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if b, ok := r.(bailout); ok {
				err = b.err
				return
			}
			internalErrors.Add(1)
			err = &InternalError{Cause: r}
		}
	}()

	// Stage 1: SLL, bail at the first error.
	input := antlr.NewInputStream(sql)
	p, tokens := newParser(input)
	bail := &bailStrategy{DefaultErrorStrategy: antlr.NewDefaultErrorStrategy()}
	p.SetErrorHandler(bail)
	p.GetInterpreter().SetPredictionMode(antlr.PredictionModeSLL)
	tree := start(p)
	if !bail.failed {
		build(tree, input, tokens)
		return nil
	}

	// Stage 2: full LL with error reporting.
	input = antlr.NewInputStream(sql)
	p, tokens = newParser(input)
	listener := &errorListener{tokens: tokens}
	p.AddErrorListener(listener)
	p.GetInterpreter().SetPredictionMode(antlr.PredictionModeLL)
	tree = start(p)
	if listener.err != nil {
		return listener.err
	}
	build(tree, input, tokens)
	return nil
}

// bailStrategy gives up at the first syntax error: it records the failure
// and skips to the end of input so the enclosing rules finish at once. (The
// runtime's own BailErrorStrategy cannot be used: in antlr4-go v4.13.1 its
// cancellation value panics when the generated code reports it.)
type bailStrategy struct {
	*antlr.DefaultErrorStrategy
	failed bool
}

func (s *bailStrategy) ReportError(antlr.Parser, antlr.RecognitionException) { s.failed = true }

func (s *bailStrategy) Recover(p antlr.Parser, _ antlr.RecognitionException) {
	s.failed = true
	for p.GetTokenStream().LA(1) != antlr.TokenEOF {
		p.Consume()
	}
}

func (s *bailStrategy) RecoverInline(p antlr.Parser) antlr.Token {
	s.failed = true
	p.SetError(antlr.NewInputMisMatchException(p))
	return nil
}

func (s *bailStrategy) Sync(antlr.Parser) {}

func newParser(input *antlr.InputStream) (*gen.SluiceParser, *antlr.CommonTokenStream) {
	lexer := gen.NewSluiceLexer(input)
	lexer.RemoveErrorListeners()
	tokens := antlr.NewCommonTokenStream(lexer, antlr.TokenDefaultChannel)
	p := gen.NewSluiceParser(tokens)
	p.RemoveErrorListeners()
	return p, tokens
}

// errorListener keeps the first syntax error, turned into an *Error with
// the expected tokens and a hint.
type errorListener struct {
	*antlr.DefaultErrorListener
	tokens *antlr.CommonTokenStream
	err    *Error
}

func (l *errorListener) SyntaxError(recognizer antlr.Recognizer, offending any, line, col int, msg string, _ antlr.RecognitionException) {
	if l.err != nil {
		return
	}
	e := &Error{Line: line, Col: col + 1}
	tok, _ := offending.(antlr.Token)
	text := "<EOF>"
	if tok != nil && tok.GetTokenType() != antlr.TokenEOF {
		text = tok.GetText()
	}
	e.Token = text
	// The parser's expected set is only meaningful when the error was
	// found at the offending token itself; a "no viable alternative"
	// found after looking ahead over several tokens leaves the parser in
	// the state where the lookahead began.
	var expected []int
	if p, ok := recognizer.(antlr.Parser); ok &&
		(!strings.HasPrefix(msg, "no viable alternative at input ") || msg == "no viable alternative at input '"+text+"'") {
		expected = expectedTokens(p)
	}
	switch {
	case tok != nil && atStatementStart(l.tokens, tok) && !startsStatement(tok.GetTokenType()) && tok.GetTokenType() != antlr.TokenEOF:
		e.Message = "Syntax Error\nUnknown statement '" + text + "'"
	case strings.HasPrefix(msg, "missing ") || strings.HasPrefix(msg, "extraneous input "):
		e.Message = "Syntax Error\n" + simplifyMessage(msg)
	default:
		e.Message = "Syntax Error\nSyntax error at or near '" + text + "' at line " + ast.Pos{Line: line, Col: col + 1}.String()
	}
	e.Expected = describeExpected(expected)
	if tok != nil {
		e.Hint = hint(l.tokens, tok, expected)
	}
	l.err = e
}

// simplifyMessage rewrites ANTLR's set notation in missing/extraneous token
// messages into plain words.
func simplifyMessage(msg string) string {
	if i := strings.Index(msg, " expecting "); i >= 0 {
		return msg[:i]
	}
	return msg
}

// expectedTokens returns the token types acceptable at the parser's
// current position.
func expectedTokens(p antlr.Parser) (out []int) {
	defer func() {
		// Computing the expected set walks the ATN; it must never turn a
		// syntax error into a crash.
		if recover() != nil {
			out = nil
		}
	}()
	set := p.GetExpectedTokens()
	if set == nil {
		return nil
	}
	for _, iv := range set.GetIntervals() {
		for t := iv.Start; t < iv.Stop; t++ {
			out = append(out, t)
		}
	}
	return out
}

// atStatementStart reports whether tok is the first token of a statement:
// nothing but hidden tokens and semicolons precede it.
func atStatementStart(tokens *antlr.CommonTokenStream, tok antlr.Token) bool {
	for i := tok.GetTokenIndex() - 1; i >= 0; i-- {
		t := tokens.Get(i)
		if t.GetChannel() != antlr.TokenDefaultChannel {
			continue
		}
		return t.GetTokenType() == gen.SluiceParserSEMICOLON
	}
	return true
}

// previousToken returns the default-channel token before tok, or nil.
func previousToken(tokens *antlr.CommonTokenStream, tok antlr.Token, n int) antlr.Token {
	for i := tok.GetTokenIndex() - 1; i >= 0; i-- {
		t := tokens.Get(i)
		if t.GetChannel() != antlr.TokenDefaultChannel {
			continue
		}
		n--
		if n == 0 {
			return t
		}
	}
	return nil
}
