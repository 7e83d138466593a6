//go:build !race

package exec

// raceEnabled slows timing-based tests' expectations: the race detector
// makes the runtime several times slower.
const raceEnabled = false
