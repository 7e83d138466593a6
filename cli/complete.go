package cli

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// keywords are the words Tab offers besides names: the statements' leading
// words and the clauses of queries.
var keywords = strings.Fields(`SELECT FROM WHERE GROUP BY HAVING PARTITION EMIT CHANGES FINAL LIMIT
	CREATE STREAM TABLE SOURCE AS WITH INSERT INTO VALUES DROP DELETE TOPIC TERMINATE
	DESCRIBE EXTENDED EXPLAIN SHOW LIST STREAMS TABLES QUERIES TOPICS FUNCTIONS PROPERTIES
	VARIABLES TYPES TYPE PRINT BEGINNING INTERVAL SET UNSET DEFINE UNDEFINE RUN SCRIPT
	JOIN LEFT RIGHT FULL OUTER INNER ON WITHIN GRACE PERIOD WINDOW TUMBLING HOPPING SESSION
	SIZE ADVANCE RETENTION AND OR NOT NULL IS IN BETWEEN LIKE CASE WHEN THEN ELSE END CAST
	TRUE FALSE KEY PRIMARY HEADERS HEADER REPLACE EXISTS IF PAUSE RESUME ALL ALTER ADD COLUMN
	ASSERT SCHEMA TIMEOUT STRUCT ARRAY MAP BOOLEAN INTEGER INT BIGINT DOUBLE DECIMAL VARCHAR
	STRING BYTES DATE TIME TIMESTAMP KAFKA_TOPIC VALUE_FORMAT KEY_FORMAT FORMAT PARTITIONS
	TIMESTAMP_FORMAT ROWTIME ROWPARTITION ROWOFFSET WINDOWSTART WINDOWEND`)

// sourceWords are the words after which a stream or table name comes.
var sourceWords = map[string]bool{"FROM": true, "JOIN": true, "DESCRIBE": true, "INTO": true, "STREAM": true, "TABLE": true, "EXTENDED": true}

// completer offers Tab completions: keywords, and the streams, tables,
// columns and functions the backend knows, fetched with SHOW and DESCRIBE
// statements so both backends work the same way. The names are cached and
// fetched again after a statement that changes the catalog.
type completer struct {
	backend Backend

	mu        sync.Mutex
	stale     bool
	sources   []string
	columns   []string
	functions []string
}

func newCompleter(b Backend) *completer {
	return &completer{backend: b, stale: true}
}

// invalidate makes the next completion fetch the names again.
func (c *completer) invalidate() {
	c.mu.Lock()
	c.stale = true
	c.mu.Unlock()
}

// refresh fetches the names when they are stale. Errors leave the names
// as they were: completion is a convenience and must never get in the way.
func (c *completer) refresh() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stale || c.backend == nil {
		return
	}
	c.stale = false
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var sources, columns, functions []string
	for _, st := range []string{"SHOW STREAMS;", "SHOW TABLES;"} {
		res, _ := c.backend.Execute(ctx, st)
		for _, r := range res {
			if t, ok := r.(*Table); ok {
				for _, row := range t.Rows {
					sources = append(sources, row[0])
				}
			}
		}
	}
	if res, _ := c.backend.Execute(ctx, "SHOW FUNCTIONS;"); res != nil {
		for _, r := range res {
			if t, ok := r.(*Table); ok {
				for _, row := range t.Rows {
					functions = append(functions, row[0])
				}
			}
		}
	}
	for i, src := range sources {
		if i >= 200 {
			break
		}
		res, _ := c.backend.Execute(ctx, "DESCRIBE "+quoteIdent(src)+";")
		for _, r := range res {
			d, ok := r.(*Doc)
			if !ok {
				continue
			}
			for _, s := range d.Sections {
				if s.Table != nil && len(s.Table.Columns) > 0 && s.Table.Columns[0] == "Field" {
					for _, row := range s.Table.Rows {
						columns = append(columns, row[0])
					}
				}
			}
		}
	}
	c.sources, c.columns, c.functions = dedupe(sources), dedupe(columns), dedupe(functions)
}

// quoteIdent quotes a name unless it is a plain upper-case identifier.
func quoteIdent(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || unicode.IsUpper(r) || (i > 0 && unicode.IsDigit(r))) {
			plain = false
		}
	}
	if plain {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// Do implements readline.AutoCompleter: it returns the endings of the
// candidates for the word before the cursor and that word's length.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isWordRune(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	prev := firstWordBefore(line[:start])
	cands := c.candidates(word, prev)
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		// A trailing space, as shells do, so the next word can follow.
		out = append(out, []rune(cand[len(word):]+" "))
	}
	return out, len([]rune(word))
}

// candidates returns the completions of word, in word's case when word is
// lower case (identifiers are case-insensitive unless quoted). Where a
// source name is expected only sources are offered; elsewhere keywords,
// sources, columns and functions, and nothing for an empty word.
func (c *completer) candidates(word, prev string) []string {
	c.refresh()
	c.mu.Lock()
	defer c.mu.Unlock()
	var pool []string
	switch {
	case sourceWords[strings.ToUpper(prev)]:
		// After FROM, JOIN, DESCRIBE...: a source name and nothing else.
		pool = c.sources
	case word == "":
		// Offering every keyword and name would be noise.
		return nil
	default:
		pool = append(pool, keywords...)
		pool = append(pool, c.sources...)
		pool = append(pool, c.columns...)
		pool = append(pool, c.functions...)
	}
	lower := word == strings.ToLower(word) && word != strings.ToUpper(word)
	upWord := strings.ToUpper(word)
	seen := map[string]bool{}
	var out []string
	for _, p := range pool {
		if len(p) < len(word) || !strings.HasPrefix(strings.ToUpper(p), upWord) || seen[p] {
			continue
		}
		seen[p] = true
		cand := p
		if lower {
			cand = strings.ToLower(p)
		}
		if !strings.HasPrefix(cand, word) {
			// A mixed-case name: keep the user's prefix as typed.
			cand = word + p[len(word):]
		}
		out = append(out, cand)
	}
	sort.Strings(out)
	return out
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// firstWordBefore returns the last complete word before the cursor's word.
func firstWordBefore(line []rune) string {
	end := len(line)
	for end > 0 && !isWordRune(line[end-1]) {
		end--
	}
	start := end
	for start > 0 && isWordRune(line[start-1]) {
		start--
	}
	return string(line[start:end])
}
