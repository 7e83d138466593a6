package exec

import (
	"context"

	"github.com/sluicedb/sluice/broker"
)

// TaskLocal is implemented by operators that need one instance per task:
// anything holding buffers (builders) or state (a window store). A query's
// Operators are a template; each task calls ForTask on those that implement
// it and uses the result, so no operator instance is shared between
// goroutines. Operators that do not implement it are shared by every task of
// the query and must be safe for concurrent use. ForTask is called again
// when a task restarts after a failure, so a stateful operator reloads its
// state from what was committed.
type TaskLocal interface {
	ForTask(tc *TaskContext) (Operator, error)
}

// CommitHook is implemented by per-task operators whose state must commit
// atomically with the task's output records and input offsets (issue 7's
// state stores). The task's commit step is:
//
//	BeginTxn (already open if records were produced)
//	PrepareCommit on every hook     // flush state: changelog appends via p
//	SendOffsets(group, next input offsets)
//	CommitTxn
//	Committed on every hook         // e.g. mark the local store checkpoint
//
// If any step fails, the task aborts the transaction, drops its operator
// instances (closing those that implement io.Closer) and restarts from the
// committed offsets with fresh instances from ForTask: uncommitted state is
// never seen again.
type CommitHook interface {
	// PrepareCommit writes the state changes made since the last commit
	// into the open transaction through p (for example appends to a
	// changelog topic partition). It must not commit or abort.
	PrepareCommit(ctx context.Context, p broker.Producer) error
	// Committed is called once the transaction is durable, with the next
	// input offset it recorded (what a state checkpoint must record too).
	Committed(pos int64)
}
