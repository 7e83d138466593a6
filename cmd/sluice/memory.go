package main

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimit is the --memory-limit flag of `sluice server` and `sluice
// run`: one knob for the memory of a node at the edge. It becomes Go's
// soft memory limit (the garbage collector works harder as the heap nears
// it, as with GOMEMLIMIT) and gives the state stores a quarter of it as
// their budget (pebble's block cache and memtables, the write-back cache
// and uncommitted changes; see state.Options.MemoryBudget). Zero leaves
// both at their defaults (no soft limit unless GOMEMLIMIT is set; a 256 MiB
// state budget).
type memoryLimit int64

// memoryLimitUsage is the flag's help text, the same for every command.
const memoryLimitUsage = "soft memory limit of the process (`SIZE`, e.g. 256MiB): Go's GC target, and a quarter of it for the state stores (0: defaults)"

// minMemoryLimit is the smallest limit accepted: below it the state stores
// would get less than their minimum budget.
const minMemoryLimit = 16 << 20

func (m *memoryLimit) String() string {
	if m == nil || *m == 0 {
		return "0"
	}
	return formatSize(int64(*m))
}

// Set parses a size: bytes, or a number with KB, MB, GB (powers of 1000)
// or KiB, MiB, GiB (powers of 1024), as in 512MiB.
func (m *memoryLimit) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	if n != 0 && n < minMemoryLimit {
		return fmt.Errorf("memory limit %s is below the minimum of %s", s, formatSize(minMemoryLimit))
	}
	*m = memoryLimit(n)
	return nil
}

// apply sets Go's soft memory limit and returns the state stores' budget
// (0: the default).
func (m memoryLimit) apply() (stateBudget int64) {
	if m <= 0 {
		return 0
	}
	debug.SetMemoryLimit(int64(m))
	return int64(m) / 4
}

// sizeUnits are the suffixes parseSize knows, longest first so that "MiB"
// is not read as "B".
var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// parseSize reads "268435456", "256MiB", "300MB", "1g".
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	factor := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/factor {
		return 0, fmt.Errorf("invalid size %q (want bytes or a number with KB, MB, GB, KiB, MiB or GiB)", s)
	}
	return n * factor, nil
}

// formatSize prints n in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.factor && n%u.factor == 0 {
			return strconv.FormatInt(n/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
