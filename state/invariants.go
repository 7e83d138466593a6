package state

import "fmt"

// checkInvariants verifies the cache's bookkeeping: every clean entry is on
// the LRU list and no dirty one is, and the byte counts match the entries.
// Tests call it directly; builds with the invariants tag call it after
// every commit and abort.
func (t *Task) checkInvariants() error {
	var all, dirty int64
	clean := 0
	for e := t.lru.next; e != &t.lru; e = e.next {
		clean++
		if e.dirty {
			return fmt.Errorf("state: invariant: dirty entry %x on the clean list", e.key)
		}
		if t.entries[string(e.key)] != e {
			return fmt.Errorf("state: invariant: listed entry %x is not in the map", e.key)
		}
	}
	for _, e := range t.entries {
		all += e.size()
		if e.dirty {
			dirty += e.size()
		} else {
			clean--
		}
	}
	if clean != 0 {
		return fmt.Errorf("state: invariant: clean list and entries disagree by %d", clean)
	}
	if all != t.cacheBytes || dirty != t.dirtyBytes {
		return fmt.Errorf("state: invariant: entries hold %d bytes (%d dirty), counted %d (%d)", all, dirty, t.cacheBytes, t.dirtyBytes)
	}
	return nil
}
