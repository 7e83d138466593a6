package state

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

var (
	flagSeed = flag.Uint64("seed", 0, "seed of the randomized state tests (0: time-based)")
	flagOps  = flag.Int("ops", 3000, "operations per randomized state test run")
)

func testSeed(t *testing.T) uint64 {
	seed := *flagSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed=%d)", seed, seed)
	return seed
}

// The model: plain maps with the documented semantics, and a copy of what
// was committed so aborts and crashes can be modelled.
type winKey struct {
	key        string
	start, end int64
}

type modelState struct {
	kv       map[string]string
	win      map[winKey]string
	sess     map[winKey]string
	winTime  int64
	sessTime int64
}

func (m modelState) clone() modelState {
	return modelState{kv: maps.Clone(m.kv), win: maps.Clone(m.win), sess: maps.Clone(m.sess), winTime: m.winTime, sessTime: m.sessTime}
}

const (
	modelRetention = 60
	modelSize      = 10
)

func cut(observed int64) int64 {
	if observed == noTime {
		return noTime
	}
	return observed - modelRetention + 1
}

// op is one generated operation; all configurations run the same list.
type op struct {
	kind         string
	key, key2    []byte
	val          []byte
	a, b         int64
	nilLo, nilHi bool
}

func genOps(rng *rand.Rand, n int) []op {
	alphabet := []byte{0x00, 0x01, 'a', 'b', 0xFF}
	keys := make([][]byte, 40)
	for i := range keys {
		k := make([]byte, rng.IntN(4))
		for j := range k {
			k[j] = alphabet[rng.IntN(len(alphabet))]
		}
		keys[i] = k
	}
	key := func() []byte { return keys[rng.IntN(len(keys))] }
	val := func() []byte {
		v := make([]byte, rng.IntN(40))
		for j := range v {
			v[j] = byte('a' + rng.IntN(26))
		}
		return v
	}
	// Time moves forward slowly with jitter, so retention bites.
	now := int64(-100)
	tm := func() int64 { return now - 80 + rng.Int64N(100) }
	kinds := []string{
		"kv.put", "kv.put", "kv.put", "kv.del", "kv.get", "kv.get", "kv.range", "kv.prefix",
		"w.put", "w.put", "w.del", "w.get", "w.fetch", "w.scan", "w.expire",
		"s.put", "s.remove", "s.get", "s.find", "s.scan", "s.expire",
		"commit", "commit", "abort", "reopen",
	}
	ops := make([]op, n)
	for i := range ops {
		now += rng.Int64N(3)
		o := op{kind: kinds[rng.IntN(len(kinds))], key: key(), key2: key(), val: val()}
		o.a, o.b = tm(), tm()
		if o.a > o.b {
			o.a, o.b = o.b, o.a
		}
		o.nilLo, o.nilHi = rng.IntN(4) == 0, rng.IntN(4) == 0
		if o.kind == "w.expire" || o.kind == "s.expire" {
			o.a = now
		}
		ops[i] = o
	}
	return ops
}

func fmtWin(ws []Window) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%x@%d-%d=%s", w.Key, w.Start, w.End, w.Value))
	}
	return strings.Join(parts, " ")
}

// runModel applies ops to the model and returns the reads, one per line.
func runModel(ops []op) []string {
	cur := modelState{kv: map[string]string{}, win: map[winKey]string{}, sess: map[winKey]string{}, winTime: noTime, sessTime: noTime}
	committed := cur.clone()
	var out []string
	for i, o := range ops {
		line := ""
		k := string(o.key)
		switch o.kind {
		case "kv.put":
			cur.kv[k] = string(o.val)
		case "kv.del":
			delete(cur.kv, k)
		case "kv.get":
			v, ok := cur.kv[k]
			line = fmt.Sprintf("%v %s", ok, v)
		case "kv.range", "kv.prefix":
			var ks []string
			for kk := range cur.kv {
				if o.kind == "kv.prefix" {
					if strings.HasPrefix(kk, k) {
						ks = append(ks, kk)
					}
					continue
				}
				lo, hi := o.key, o.key2
				if bytes.Compare(lo, hi) > 0 {
					lo, hi = hi, lo
				}
				if (o.nilLo || kk >= string(lo)) && (o.nilHi || kk < string(hi)) {
					ks = append(ks, kk)
				}
			}
			slices.Sort(ks)
			for _, kk := range ks {
				line += fmt.Sprintf("%x=%s ", kk, cur.kv[kk])
			}
		case "w.put":
			if o.a < cut(cur.winTime) {
				line = "expired"
				break
			}
			cur.win[winKey{key: k, start: o.a}] = string(o.val)
		case "w.del":
			if o.a >= cut(cur.winTime) {
				delete(cur.win, winKey{key: k, start: o.a})
			}
		case "w.get":
			v, ok := cur.win[winKey{key: k, start: o.a}]
			ok = ok && o.a >= cut(cur.winTime)
			if !ok {
				v = ""
			}
			line = fmt.Sprintf("%v %s", ok, v)
		case "w.fetch", "w.scan":
			var ws []Window
			for wk, v := range cur.win {
				if (o.kind == "w.scan" || wk.key == k) && wk.start >= o.a && wk.start <= o.b && wk.start >= cut(cur.winTime) {
					ws = append(ws, Window{Key: []byte(wk.key), Start: wk.start, End: wk.start + modelSize, Value: []byte(v)})
				}
			}
			slices.SortFunc(ws, func(x, y Window) int {
				if c := bytes.Compare(x.Key, y.Key); c != 0 {
					return c
				}
				return int(x.Start - y.Start)
			})
			line = fmtWin(ws)
		case "w.expire":
			cur.winTime = max(cur.winTime, o.a)
			for wk := range cur.win {
				if wk.start < cut(cur.winTime) {
					delete(cur.win, wk)
				}
			}
		case "s.put":
			if o.b < cut(cur.sessTime) {
				line = "expired"
				break
			}
			cur.sess[winKey{key: k, start: o.a, end: o.b}] = string(o.val)
		case "s.remove":
			if o.b >= cut(cur.sessTime) {
				delete(cur.sess, winKey{key: k, start: o.a, end: o.b})
			}
		case "s.get":
			v, ok := cur.sess[winKey{key: k, start: o.a, end: o.b}]
			ok = ok && o.b >= cut(cur.sessTime)
			if !ok {
				v = ""
			}
			line = fmt.Sprintf("%v %s", ok, v)
		case "s.find", "s.scan":
			// find: sessions of key with end >= a and start <= b.
			var ws []Window
			for wk, v := range cur.sess {
				live := wk.end >= cut(cur.sessTime)
				if o.kind == "s.find" && (wk.key != k || wk.end < o.a || wk.start > o.b) {
					continue
				}
				if live {
					ws = append(ws, Window{Key: []byte(wk.key), Start: wk.start, End: wk.end, Value: []byte(v)})
				}
			}
			slices.SortFunc(ws, func(x, y Window) int {
				if c := bytes.Compare(x.Key, y.Key); c != 0 {
					return c
				}
				if x.End != y.End {
					return int(x.End - y.End)
				}
				return int(x.Start - y.Start)
			})
			line = fmtWin(ws)
		case "s.expire":
			cur.sessTime = max(cur.sessTime, o.a)
			for wk := range cur.sess {
				if wk.end < cut(cur.sessTime) {
					delete(cur.sess, wk)
				}
			}
		case "commit":
			committed = cur.clone()
		case "abort", "reopen":
			cur = committed.clone()
		}
		out = append(out, fmt.Sprintf("%d %s %s", i, o.kind, line))
	}
	return out
}

type storeConfig struct {
	name         string
	disableCache bool
	cacheLimit   int64
	segInterval  int64
}

var storeConfigs = []storeConfig{
	{name: "cache-large", segInterval: 20},
	{name: "cache-off", disableCache: true, segInterval: 20},
	{name: "cache-tiny", cacheLimit: 2000, segInterval: 20},
	{name: "cache-small-seg7", cacheLimit: 20000, segInterval: 7},
	{name: "cache-large-seg1000", segInterval: 1000},
}

// sut is the system under test: a DB with one task and three stores.
type sut struct {
	t    *testing.T
	fs   vfs.FS
	cfg  storeConfig
	db   *DB
	task *Task
	kv   *KVStore
	win  *WindowStore
	sess *SessionStore
}

func (s *sut) open() {
	s.t.Helper()
	db, err := Open("db", Options{FS: s.fs, MemoryBudget: minBudget, DisableCache: s.cfg.disableCache, cacheLimit: s.cfg.cacheLimit})
	if err != nil {
		s.t.Fatal(err)
	}
	s.db = db
	if s.task, err = db.OpenTask("q1/0"); err != nil {
		s.t.Fatal(err)
	}
	if s.kv, err = s.task.KeyValueStore(StoreName("q1", "agg", 0)); err != nil {
		s.t.Fatal(err)
	}
	if s.win, err = s.task.WindowStore(StoreName("q1", "win", 0), WindowOptions{Size: modelSize, Retention: modelRetention, SegmentInterval: s.cfg.segInterval}); err != nil {
		s.t.Fatal(err)
	}
	if s.sess, err = s.task.SessionStore(StoreName("q1", "sess", 0), SessionOptions{Retention: modelRetention, SegmentInterval: s.cfg.segInterval}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sut) apply(i int, o op) (string, error) {
	line := ""
	var err error
	switch o.kind {
	case "kv.put":
		err = s.kv.Put(o.key, o.val)
	case "kv.del":
		err = s.kv.Delete(o.key)
	case "kv.get":
		var v []byte
		var ok bool
		v, ok, err = s.kv.Get(o.key)
		line = fmt.Sprintf("%v %s", ok, v)
	case "kv.range", "kv.prefix":
		fn := func(k, v []byte) error {
			line += fmt.Sprintf("%x=%s ", k, v)
			return nil
		}
		if o.kind == "kv.prefix" {
			err = s.kv.Prefix(o.key, fn)
			break
		}
		lo, hi := o.key, o.key2
		if bytes.Compare(lo, hi) > 0 {
			lo, hi = hi, lo
		}
		if o.nilLo {
			lo = nil
		}
		if o.nilHi {
			hi = nil
		}
		err = s.kv.Range(lo, hi, fn)
	case "w.put":
		err = s.win.Put(o.key, o.a, o.val)
		if errors.Is(err, ErrExpired) {
			line, err = "expired", nil
		}
	case "w.del":
		err = s.win.Delete(o.key, o.a)
	case "w.get":
		var v []byte
		var ok bool
		v, ok, err = s.win.Get(o.key, o.a)
		line = fmt.Sprintf("%v %s", ok, v)
	case "w.fetch":
		var ws []Window
		ws, err = s.win.Fetch(o.key, o.a, o.b)
		line = fmtWin(ws)
	case "w.scan":
		var ws []Window
		err = s.win.Scan(o.a, o.b, func(w Window) error {
			ws = append(ws, Window{Key: bytes.Clone(w.Key), Start: w.Start, End: w.End, Value: bytes.Clone(w.Value)})
			return nil
		})
		slices.SortStableFunc(ws, func(x, y Window) int { return bytes.Compare(x.Key, y.Key) })
		line = fmtWin(ws)
	case "w.expire":
		err = s.win.Expire(o.a)
	case "s.put":
		err = s.sess.Put(o.key, o.a, o.b, o.val)
		if errors.Is(err, ErrExpired) {
			line, err = "expired", nil
		}
	case "s.remove":
		err = s.sess.Remove(o.key, o.a, o.b)
	case "s.get":
		var v []byte
		var ok bool
		v, ok, err = s.sess.Get(o.key, o.a, o.b)
		line = fmt.Sprintf("%v %s", ok, v)
	case "s.find":
		var ws []Window
		ws, err = s.sess.FindSessions(o.key, o.a, o.b)
		line = fmtWin(ws)
	case "s.scan":
		var ws []Window
		err = s.sess.Scan(func(w Window) error {
			ws = append(ws, Window{Key: bytes.Clone(w.Key), Start: w.Start, End: w.End, Value: bytes.Clone(w.Value)})
			return nil
		})
		slices.SortStableFunc(ws, func(x, y Window) int {
			if c := bytes.Compare(x.Key, y.Key); c != 0 {
				return c
			}
			if x.End != y.End {
				return int(x.End - y.End)
			}
			return int(x.Start - y.Start)
		})
		line = fmtWin(ws)
	case "s.expire":
		err = s.sess.Expire(o.a)
	case "commit":
		_, err = s.task.Changes()
		if err == nil {
			err = s.task.Commit(Checkpoint{})
		}
		if err == nil {
			err = s.checkSnapshot()
		}
	case "abort":
		err = s.task.Abort()
	case "reopen":
		// A crash: close without committing.
		if err = s.db.Close(); err == nil {
			s.open()
		}
	}
	return fmt.Sprintf("%d %s %s", i, o.kind, line), err
}

// TestMetamorphic runs one random operation list against the model and
// against every store configuration: all must read the same.
func TestMetamorphic(t *testing.T) {
	seed := testSeed(t)
	ops := genOps(rand.New(rand.NewPCG(seed, seed^0x5eed)), *flagOps)
	want := runModel(ops)
	for _, cfg := range storeConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			s := &sut{t: t, fs: vfs.NewMem(), cfg: cfg}
			s.open()
			defer func() { s.db.Close() }()
			for i, o := range ops {
				got, err := s.apply(i, o)
				if err == nil {
					err = s.task.checkInvariants()
				}
				if err != nil {
					t.Fatalf("seed %d op %d %s: %v", seed, i, o.kind, err)
				}
				if got != want[i] {
					t.Fatalf("seed %d op %d:\n got: %s\nwant: %s", seed, i, got, want[i])
				}
			}
		})
	}
}

// dumpAll renders every store through the given readers.
func dumpAll(kv func(lo, hi []byte, fn func(k, v []byte) error) error,
	win func(from, to int64, fn func(Window) error) error,
	sess func(fn func(Window) error) error) (string, error) {
	var b strings.Builder
	if err := kv(nil, nil, func(k, v []byte) error {
		fmt.Fprintf(&b, "kv %x=%s\n", k, v)
		return nil
	}); err != nil {
		return "", err
	}
	var ws []Window
	collect := func(w Window) error {
		ws = append(ws, Window{Key: bytes.Clone(w.Key), Start: w.Start, End: w.End, Value: bytes.Clone(w.Value)})
		return nil
	}
	if err := win(math.MinInt64, math.MaxInt64, collect); err != nil {
		return "", err
	}
	b.WriteString("win " + fmtWin(sortWindows(ws)) + "\n")
	ws = nil
	if err := sess(collect); err != nil {
		return "", err
	}
	b.WriteString("sess " + fmtWin(sortWindows(ws)) + "\n")
	return b.String(), nil
}

// checkSnapshot compares a snapshot's views with the task's own reads,
// right after a commit, when both must show the same state.
func (s *sut) checkSnapshot() error {
	want, err := dumpAll(s.kv.Range, s.win.Scan, s.sess.Scan)
	if err != nil {
		return err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	kv, err := snap.KeyValue(s.kv.Name())
	if err != nil {
		return err
	}
	win, err := snap.Window(s.win.Name(), WindowOptions{Size: modelSize, Retention: modelRetention, SegmentInterval: s.cfg.segInterval})
	if err != nil {
		return err
	}
	sess, err := snap.Session(s.sess.Name(), SessionOptions{Retention: modelRetention, SegmentInterval: s.cfg.segInterval})
	if err != nil {
		return err
	}
	got, err := dumpAll(kv.Range, win.Scan, sess.Scan)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("snapshot after commit:\n got %s\nwant %s", got, want)
	}
	return nil
}
