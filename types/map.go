package types

// Map helpers. A Map keeps insertion order and unique keys (by SQL
// equality, so INTEGER 1 and BIGINT 1 are the same key); lookups are
// linear, which is fastest for the small maps records carry. Decoders that
// may build large maps index them by key text themselves.

// Put adds or replaces the entry for k (SQL equality) keeping insertion
// order, which is the invariant every Map value keeps.
func (m *Map) Put(k, v any) {
	for i, x := range m.Keys {
		if NotDistinct(x, k) {
			m.Values[i] = v
			return
		}
	}
	m.Keys = append(m.Keys, k)
	m.Values = append(m.Values, v)
}

// Lookup returns the value for k and whether the key is present.
func (m *Map) Lookup(k any) (any, bool) {
	if !mapOK(m) {
		return nil, false
	}
	for i, x := range m.Keys {
		if NotDistinct(x, k) {
			return m.Values[i], true
		}
	}
	return nil, false
}

// Len returns the number of entries; a nil map has none.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Keys)
}
