package conformance

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// Engine is what the runner needs of one fresh engine instance. The
// adapter over package engine implements it (see OpenEngine); the runner's
// own tests use a small fake, so the comparison rules and the reporting are
// tested without a running engine.
type Engine interface {
	// Execute runs one statement. A non-nil error is a rejection, and its
	// message is what expectedException cases match; an error that wraps
	// errors.ErrUnsupported (or for which the EngineConfig's Unsupported
	// says so) marks a feature that is not built yet.
	Execute(ctx context.Context, statement string) error
	// Log is the log the engine runs on; the runner creates topics,
	// produces inputs and reads outputs through it.
	Log() broker.Log
	// Source returns a stream or table of the catalog by (normalised) name.
	Source(name string) (*planner.Source, bool)
	// WaitCaughtUp blocks until every persistent query has processed and
	// committed everything present in its input topics.
	WaitCaughtUp(ctx context.Context) error
	// Close stops the queries and releases the instance.
	Close() error
}

// Querier is implemented by engines that run transient queries, which the
// REST cases (RQTT) check row by row. Without it those cases are SKIPs.
type Querier interface {
	// Query runs a SELECT and returns its rows; an error is a rejection,
	// as for Execute.
	Query(ctx context.Context, statement string) (*Rows, error)
}

// Rows is a running or finished transient query.
type Rows struct {
	Columns []types.Column
	// Next returns the next row, or false when the query has ended (its
	// LIMIT reached) or ctx is done.
	Next func(ctx context.Context) ([]any, bool)
	// Close stops the query; it may be called more than once.
	Close func()
	// Tombstone reports whether the row Next returned last is a table's
	// tombstone (ksqlDB's "tombstone": true); nil when the engine does
	// not say, and then no row is one.
	Tombstone func() bool
}

// EngineConfig is what an Opener gets for one test.
type EngineConfig struct {
	// Dir is an empty directory the instance owns; the runner removes it
	// after Close.
	Dir string
	// Functions is the registry to resolve calls with: the built-ins plus
	// ksqlDB's test functions (TestFunctions).
	Functions *functions.Registry
	// Properties are the case's properties (ksql.* and streams settings).
	Properties map[string]string
	// Now is the log's clock. The runner fixes it at the epoch so a record
	// appended with timestamp 0 keeps 0 (the log stamps a zero timestamp
	// with its clock), as in ksqlDB's test driver where records without a
	// timestamp have time 0.
	Now func() time.Time
	// REST marks a REST case (RQTT): its statements and queries go through
	// the REST API over real HTTP, as ksqlDB's REST test runner sends
	// them, when the Opener can serve it (OpenEngine does).
	REST bool
}

// Opener starts a fresh engine for one test.
type Opener func(ctx context.Context, cfg EngineConfig) (Engine, error)

// IsUnsupported reports whether err says that a feature is not built yet
// (aggregation, windows, joins, tables...), which makes a test a SKIP and
// not a FAIL. An engine marks such errors by wrapping errors.ErrUnsupported
// or, as package engine does today, by wording them "... not yet
// supported", which is never a message of ksqlDB itself.
func IsUnsupported(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, errors.ErrUnsupported) || strings.Contains(err.Error(), "not yet supported")
}

// epoch is the fixed log clock of EngineConfig.Now.
func epoch() time.Time { return time.UnixMilli(0) }
