// Package state holds the state of Sluice's stateful operators: key-value,
// window and session stores on one pebble instance per node, a write-back
// cache in front of them, checkpoints that tie state to input offsets, and
// restore from changelog topics.
//
// # Layout
//
// A DB is one pebble directory. A Task (one input partition of one query)
// opens stores by name (StoreName(query, operator, partition)); each store
// is a key prefix, so stores share pebble's write-ahead log, memtables and
// block cache, and a task's checkpoint can cover all its stores in one
// batch. keys.go documents the key encodings: big-endian, with the sign bit
// of times flipped, so byte order is time order, and windowed keys grouped
// in time segments so retention is a range deletion.
//
// # Reads from other goroutines
//
// A Task and its stores belong to the task's goroutine. Pull queries read
// through a Snapshot (DB.NewSnapshot): a consistent view of what the tasks
// last committed, with read-only views of each store. They never see a
// task's cache or pending batch, so they never see a result the log has
// not committed either.
//
// # Memory
//
// Options.MemoryBudget bounds the DB: half is pebble's block cache, from
// which its memtables reserve their memory; a quarter is the write-back
// caches of all tasks (clean entries are evicted least recently used first;
// when dirty entries alone exceed it, they are flushed early into the
// task's pending batch, which is still uncommitted); a quarter is pending
// batches, past which Task.NeedsCommit asks the runtime to commit early.
//
// A window lookup that misses the cache reads pebble only if the window
// can be there: windowed aggregations look up a new window for every key
// in every window period, and a window newer than anything flushed for its
// key (flushed.go keeps that bound per key, and coarser after a reload)
// can only be in the cache.
//
// # Checkpoints and exactly once
//
// A task's commit has two halves: the log transaction (output records,
// changelog records, the group's input offsets; DESIGN.md, Exactly once)
// and the pebble batch (state changes, the same input offsets, the
// changelog positions, a sequence number). The runtime runs them in this
// order:
//
//  1. changes := task.Changes() — flushes the cache; the changes since
//     the last commit.
//  2. In the log transaction: append changes to each store's compacted
//     changelog partition, append the output records, SendOffsets with the
//     next input offsets, CommitTxn.
//  3. task.Commit(Checkpoint{Offsets: inputs, Changelogs: positions}) —
//     one pebble batch, synced, where positions are the offsets after the
//     last changelog record of each partition.
//
// If the log transaction fails or aborts, the runtime calls task.Abort and
// reprocesses from the committed offsets. Because the log commits first, a
// crash can leave the log ahead of pebble (the crash hit between 2 and 3)
// but, with a durable log, never behind.
//
// On restart, before processing, the runtime calls task.Recover, which
// takes the log as the truth — it holds what consumers may already have
// read — and makes the state agree with it:
//
//   - Log ahead of pebble (some input's committed group offset is greater
//     than the checkpoint's, or the changelog holds committed records past
//     the checkpoint's position): replay each changelog from the
//     checkpoint's position to its end and adopt the log's offsets. This is
//     "rolled forward". A lost or empty state directory is the extreme case:
//     the replay starts at the beginning.
//   - Pebble ahead of the log (a checkpoint offset greater than the log's,
//     an offset the log does not have, or a changelog position past the
//     changelog's end): the state reflects a transaction the log does not
//     have, so its effects were never visible downstream. (A changelog
//     position before the changelog's start, which the tail replay cannot
//     use, is handled the same way.) The state cannot
//     be rolled back piecewise, so every store of the task is wiped and
//     rebuilt from its whole changelog, and the log's offsets are adopted.
//     This happens only if the log lost acknowledged data (durability other
//     than fsync and a power loss) or if a runtime commits pebble first.
//   - Otherwise the two agree ("in sync").
//
// Replays write unsynced batches and finish with a synced Commit of the new
// positions. A rebuild first commits the wipe together with positions that
// say "from the start", so a crash during recovery never mixes old and new
// state: the next Recover resumes from a position the state is consistent
// with (replay is idempotent because records are whole values in log order).
//
// Limits: a compacted changelog may drop tombstones after its
// DeleteRetentionMs; a checkpoint that old must be rebuilt (Restore), not
// rolled forward, or deleted keys could survive. Window and session
// expirations are not written to the changelog as tombstones (that would
// double its size for data nobody reads); instead each commit that moved a
// windowed store's stream time appends it under a reserved key (see
// streamTimeKey), and a restore expires against it, so the restored store
// holds what the original held.
package state
