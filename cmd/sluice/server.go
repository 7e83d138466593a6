package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sluicedb/sluice/engine"
	"github.com/sluicedb/sluice/server"
)

func init() {
	register("server", command{
		summary: "serve ksqlDB's REST API (default :8088) over an engine on the data directory",
		run:     serverCommand,
	})
}

// serverOptions are the arguments of `sluice server`.
type serverOptions struct {
	listen          string
	dataDir         string
	opts            server.Options
	shutdownTimeout time.Duration
	memory          memoryLimit
	// ready, when set, receives the bound address once the server
	// accepts connections (tests listen on port 0).
	ready func(addr string)
}

func serverCommand(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	args, dir, err := splitDataDir(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sluice server [--listen ADDR] [--data-dir DIR] [limits]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Serves ksqlDB's REST API (/ksql, /query, /query-stream, /inserts-stream,")
		fmt.Fprintln(stderr, "/close-query, /info, /healthcheck, /status, /ws/query, /metrics) until")
		fmt.Fprintln(stderr, "SIGINT or SIGTERM, then shuts down gracefully: running queries commit.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	o := serverOptions{dataDir: dir}
	fs.StringVar(&o.listen, "listen", ":8088", "address to listen on (host:port)")
	fs.Int64Var(&o.opts.MaxBodyBytes, "max-body-bytes", 4<<20, "largest request body (and /inserts-stream line)")
	fs.IntVar(&o.opts.MaxPushQueries, "max-push-queries", 100, "push queries allowed to run at once")
	fs.DurationVar(&o.opts.IdleTimeout, "idle-timeout", 2*time.Minute, "close keep-alive connections idle this long")
	fs.DurationVar(&o.opts.WriteTimeout, "write-timeout", time.Minute, "end a stream whose client stops reading this long")
	fs.DurationVar(&o.opts.StreamIdleTimeout, "stream-idle-timeout", 5*time.Minute, "end an /inserts-stream silent this long")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long shutdown waits for in-flight requests")
	fs.Var(&o.memory, "memory-limit", memoryLimitUsage)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sluice server: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runServer(ctx, o, stdout, stderr)
}

// runServer opens the engine, serves until ctx is done, then shuts the
// server down (in-flight requests finish, push queries end) before closing
// the engine (persistent queries commit).
func runServer(ctx context.Context, o serverOptions, stdout, stderr io.Writer) int {
	eng, err := engine.Open(ctx, engine.Config{DataDir: o.dataDir, StateMemory: o.memory.apply(),
		Logf: func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }})
	if err != nil {
		fmt.Fprintf(stderr, "sluice server: %v\n", err)
		return 1
	}
	defer func() {
		if err := eng.Close(); err != nil {
			fmt.Fprintf(stderr, "sluice server: closing the engine: %v\n", err)
		}
	}()
	o.opts.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	srv, err := server.New(eng, o.opts)
	if err != nil {
		fmt.Fprintf(stderr, "sluice server: %v\n", err)
		return 1
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(stderr, "sluice server: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "sluice server listening on %s (data dir %s)\n", l.Addr(), o.dataDir)
	fmt.Fprintf(stdout, "open a shell against it with: sluice shell --server http://%s\n", displayAddr(l.Addr()))
	if o.ready != nil {
		o.ready(l.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "sluice server: %v\n", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "sluice server: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "sluice server: shutdown: %v\n", err)
	}
	<-served
	return 0
}

// displayAddr is a listen address a client can dial: an unspecified host
// (":8088", "[::]:8088") becomes localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
