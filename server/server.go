// Package server is Sluice's ksqlDB-compatible REST front door: the
// endpoints and wire shapes of ksqlDB's server (/ksql, /query,
// /query-stream, /inserts-stream, /close-query, /info, /healthcheck,
// /status, /ws/query, /is_valid_property, plus /metrics), over the one
// statement API of package engine.
//
// The server keeps no SQL knowledge of its own beyond telling queries from
// other statements: every request runs in a fresh engine.Session (ksqlDB's
// REST API is stateless; a request's streamsProperties and sessionVariables
// are its whole session), and the typed results are rendered as ksqlDB's
// entities. Errors keep ksqlDB's body shape and codes, and a user error is
// always a 4xx.
//
// Limits (request body size, concurrent push queries, idle and header
// timeouts) are in Options with defaults sized so that one client cannot
// take the server down. Shutdown stops accepting work, ends running push
// queries with a final message, and waits for in-flight requests, so the
// engine (closed by the caller afterwards) commits everything its queries
// processed.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluicedb/sluice/engine"
)

// Options configures a Server. The zero value of every field means its
// default, documented on the field, so Options{} is a sane production
// configuration.
type Options struct {
	// MaxBodyBytes bounds the body of a request (a /ksql script, a query
	// request). /inserts-stream bodies are unbounded streams, so for them
	// it bounds each line instead. Default 4 MiB.
	MaxBodyBytes int64
	// MaxPushQueries bounds the push queries running at once over all
	// endpoints (/query, /query-stream, /ws/query); one more is refused
	// with 429. Each holds a runtime task and a reader, so the bound is
	// what keeps a client loop from exhausting the engine. Default 100.
	MaxPushQueries int
	// IdleTimeout closes keep-alive connections with no request for this
	// long. Default 2 minutes.
	IdleTimeout time.Duration
	// ReadHeaderTimeout bounds the time to read a request's headers, so
	// a slow client cannot hold a connection open without sending one.
	// Default 10 seconds.
	ReadHeaderTimeout time.Duration
	// StreamIdleTimeout ends an /inserts-stream that sends no line for
	// this long. Default 5 minutes.
	StreamIdleTimeout time.Duration
	// WriteTimeout bounds each write of a streaming response (a row, an
	// ack): a client that stops reading for this long loses its stream,
	// and its push query is closed. Default 1 minute.
	WriteTimeout time.Duration
	// StatementTimeout bounds one /ksql request. Default 2 minutes.
	StatementTimeout time.Duration
	// Version is reported by /info; default "sluice-dev".
	Version string
	// ServiceID is reported by /info as ksqlServiceId; default
	// "default_" as ksqlDB's default service id.
	ServiceID string
	// Registerer receives the server's Prometheus collectors; nil means a
	// fresh registry private to the server (so several servers in one
	// test process do not collide). /metrics serves Gatherer, or that
	// private registry when Gatherer is nil.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Logf receives notable events (a recovered panic, a failed write);
	// default none.
	Logf func(format string, args ...any)
}

func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 4 << 20
	}
	if o.MaxPushQueries <= 0 {
		o.MaxPushQueries = 100
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 10 * time.Second
	}
	if o.StreamIdleTimeout <= 0 {
		o.StreamIdleTimeout = 5 * time.Minute
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = time.Minute
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = 2 * time.Minute
	}
	if o.Version == "" {
		o.Version = "sluice-dev"
	}
	if o.ServiceID == "" {
		o.ServiceID = "default_"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// Server serves the REST API for one engine. It is an http.Handler, so a
// test can mount it on httptest, and it can also own its listener through
// Serve and Shutdown.
type Server struct {
	eng  *engine.Engine
	opts Options
	mux  *http.ServeMux
	http *http.Server

	// closing is closed when Shutdown starts: handlers stop taking new
	// work and streaming handlers end with a final message.
	closing     chan struct{}
	closingOnce sync.Once
	shutting    atomic.Bool

	queries  *queryRegistry
	commands *commandLog
	metrics  *metrics
}

// New builds a server over an open engine. The engine stays the caller's:
// Shutdown does not close it, so the caller closes it after Shutdown
// returned and every query can commit.
func New(eng *engine.Engine, opts Options) (*Server, error) {
	if eng == nil {
		return nil, errors.New("server: nil engine")
	}
	opts = opts.withDefaults()
	s := &Server{
		eng:      eng,
		opts:     opts,
		closing:  make(chan struct{}),
		queries:  newQueryRegistry(opts.MaxPushQueries),
		commands: newCommandLog(),
	}
	m, err := newMetrics(s, opts.Registerer, opts.Gatherer)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.mux = http.NewServeMux()
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler: it refuses work during shutdown and
// turns a handler panic into a 500 error body instead of a dropped
// connection, so no panic escapes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.opts.Logf("server: panic serving %s %s: %v", r.Method, r.URL.Path, p)
			s.metrics.panics.Inc()
			writeError(w, http.StatusInternalServerError, genericError(engine.CodeServerError, fmt.Sprintf("internal error: %v", p)))
		}
	}()
	if s.shutting.Load() {
		writeError(w, http.StatusServiceUnavailable, genericError(engine.CodeShuttingDown, "The server is shutting down"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	s.mux.HandleFunc("POST /ksql", s.handleKsql)
	s.mux.HandleFunc("POST /query", s.handleQuery)
	s.mux.HandleFunc("POST /query-stream", s.handleQueryStream)
	s.mux.HandleFunc("POST /close-query", s.handleCloseQuery)
	s.mux.HandleFunc("POST /inserts-stream", s.handleInsertsStream)
	s.mux.HandleFunc("GET /info", s.handleInfo)
	s.mux.HandleFunc("GET /{$}", s.handleInfo)
	s.mux.HandleFunc("GET /healthcheck", s.handleHealthcheck)
	s.mux.HandleFunc("GET /chc/ready", s.handleHealthcheck)
	s.mux.HandleFunc("GET /chc/live", s.handleHealthcheck)
	s.mux.HandleFunc("GET /status", s.handleStatusAll)
	s.mux.HandleFunc("GET /status/{type}/{entity}/{action}", s.handleStatus)
	s.mux.HandleFunc("GET /is_valid_property/{name}", s.handleIsValidProperty)
	s.mux.HandleFunc("GET /ws/query", s.handleWSQuery)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.HandleFunc("/", s.handleNotFound)
}

// Serve accepts connections on l until Shutdown. It speaks HTTP/1.1 and
// HTTP/2 over cleartext (h2c with prior knowledge), as ksqlDB's
// /query-stream clients use HTTP/2. It returns http.ErrServerClosed after
// Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.http = s.httpServer()
	return s.http.Serve(l)
}

func (s *Server) httpServer() *http.Server {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           s,
		Protocols:         p,
		IdleTimeout:       s.opts.IdleTimeout,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ErrorLog:          nil,
	}
}

// Shutdown stops the server gracefully: new requests get 503, running push
// queries end with a final "server shutting down" message and are closed,
// open insert streams stop after acking the rows they inserted, and the
// call waits for in-flight requests until ctx is done (then it closes the
// remaining connections). The engine is not closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closingOnce.Do(func() {
		s.shutting.Store(true)
		close(s.closing)
	})
	s.queries.closeAll()
	if s.http == nil {
		return s.queries.wait(ctx)
	}
	err := s.http.Shutdown(ctx)
	if err != nil {
		_ = s.http.Close()
	}
	return err
}

// Handler returns the server as an http.Handler (for httptest or another
// mux).
func (s *Server) Handler() http.Handler { return s }
