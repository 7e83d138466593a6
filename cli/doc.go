// Package cli is Sluice's interactive SQL shell, the front door analysts
// use: `sluice shell` and a bare `sluice` start it.
//
// The shell talks to a Backend, either an engine opened in-process on a data
// directory (no server needed, the default) or a remote server through the
// ksqlDB REST wire format (--server URL). Both backends turn what they get
// into the same small result model (Message, Table, Doc, Stream, Lines), so
// rendering — ksqlDB-style boxed tables, JSON lines or CSV — is written once
// and a statement looks the same whichever way it was run.
//
// Input is read with chzyer/readline when the shell runs on a terminal
// (history across sessions, multi-line statements ended by ';', tab
// completion, Ctrl-C cancelling only the running query) and line by line
// otherwise (`-f FILE`, `-f -`), in which mode the first failing statement
// stops the run with a non-zero exit status so scripts can rely on it.
package cli
