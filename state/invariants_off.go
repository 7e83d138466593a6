//go:build !invariants

package state

// invariants turns on the expensive self-checks (go test -tags invariants).
const invariants = false
