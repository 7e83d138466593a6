# Sluice: the single entry point for building, testing and generating.
# Every target works on a fresh machine with only Go installed, except
# `generate`, which also needs Java 17 and npm (it fetches the ANTLR tool).

GO        ?= go
BIN       := bin/sluice
PKGS      := ./...
# The generated ANTLR parser trips vet's unreachable-code check.
GEN_PKG   := ./parser/gen
ANTLR_VER := 2.0.0
ANTLR_JAR := tools/node_modules/antlr4ng-cli/antlr4-4.13.2-SNAPSHOT-complete.jar
FUZZTIME  ?= 60s
BENCHTIME ?= 1s
BENCHCOUNT ?= 1

.PHONY: all build run test test-race lint vet fmt-check generate bench bench-log roundtrip crash-soak conformance conformance-docs bench-json bench-exec bench-state bench-rest rest-smoke bench-agg crash-agg test-diff-soak latency example soak-exec fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/sluice

# The main job on the embedded default: builds sluice, loads the edge example
# pipeline with sample data into ./sluice-demo and serves it over REST on
# :8088 (see README.md and scripts/demo.sh).
run: build
	SLUICE=$(CURDIR)/$(BIN) scripts/demo.sh

# The test command of README.md and .ci/run: lint, then every test.
test: lint
	$(GO) test -count=1 -timeout 20m $(PKGS)

# The race detector on the packages with concurrency.
test-race:
	$(GO) test -count=1 -race -timeout 20m ./broker/... ./commitlog/... ./exec/... ./state/... ./engine/... ./conformance/... ./server/... ./cli/... ./cmd/...

lint: vet fmt-check

vet:
	$(GO) vet $$($(GO) list $(PKGS) | grep -v '/parser/gen$$')
	$(GO) vet -unreachable=false $(GEN_PKG)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

$(ANTLR_JAR):
	npm install --no-save --prefix tools antlr4ng-cli@$(ANTLR_VER)

# Regenerates the Go parser from grammar/Sluice.g4 and records the grammar's
# checksum so a test can tell when the committed parser is stale.
generate: $(ANTLR_JAR)
	rm -f parser/gen/*.go parser/gen/*.interp parser/gen/*.tokens
	java -jar $(ANTLR_JAR) -Dlanguage=Go -package gen -visitor -no-listener \
		-Xexact-output-dir -o parser/gen grammar/Sluice.g4
	rm -f parser/gen/*.interp parser/gen/*.tokens
	$(GO) run ./grammar/checksum -grammar grammar/Sluice.g4 -out parser/gen/checksum.go
	gofmt -w parser/gen

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) $(PKGS)

# The commit log's own numbers: append vs raw write+fdatasync, concurrent
# group commit, latency, sequential read, transaction commit, and the 1M
# record produce/consume round trip through the CLI code.
bench-log:
	$(GO) test -run '^$$' -bench 'AppendVsRaw|AppendConcurrent|AppendLatency|ReadSequential|TxnCommit|RawFdatasync' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./commitlog
	$(GO) test -run '^$$' -bench TopicRoundTrip1M -benchtime 1x ./cmd/sluice

# 1M records through the real binary: sluice topic produce, then consume.
roundtrip: build
	scripts/topic_roundtrip.sh

# ksqlDB's test corpus (../shared/conformance/ksql) through the engine:
# PASS/FAIL/SKIP per case, machine-readable results in conformance-results.json.
conformance:
	$(GO) run ./cmd/sluice conformance --json conformance-results.json

# Raise the conformance ratchet (testdata/conformance/baseline.json) and
# regenerate docs/conformance.md; review the diff before committing.
conformance-docs:
	$(GO) test ./conformance -run TestCorpus -rewrite -count=1

# JSON decode/encode against encoding/json and the other Go decoders, on
# one core, interleaved best-of-N so a busy machine does not skew ratios.
bench-json:
	GOMAXPROCS=1 SLUICE_BENCH_ROUNDS=8 $(GO) test -count=1 -run TestBenchInterleaved -v -benchtime 150ms ./format

# The runtime's end-to-end numbers: 1M JSON events through filter+project to
# an output topic (durable, exactly-once), the JSON-decode ceiling, and
# append-to-readable latency under a 1k events/s trickle.
bench-exec:
	$(GO) test -run '^$$' -bench 'Pipeline|Latency' -benchtime 1x ./exec
	$(GO) test -run '^$$' -bench DecodeCeiling -cpu 1 ./exec

# State stores: cached read-modify-write, commit, window and session
# updates; restore of 1M keys from a changelog.
bench-state:
	$(GO) test ./state -run '^$$' -bench 'KVUpdate|Commit|WindowUpdate|SessionMerge' -benchmem -benchtime 1s
	$(GO) test ./state -run '^$$' -bench Restore -benchtime 3x -restore-keys 1000000

# N push-query clients and an insert stream against the REST server.
bench-rest:
	$(GO) test ./server -run '^$$' -bench PushFanout -benchtime 1x

# curl against a real sluice server: every endpoint and its errors.
rest-smoke: build
	SLUICE=$(CURDIR)/$(BIN) scripts/rest_smoke.sh

# Append-to-readable latency of a CSAS under a 1k events/s trickle (10 s).
latency:
	SLUICE_LATENCY=10 $(GO) test -count=1 -run TestLatency -v ./engine

# The edge example end to end: sensor readings -> alarms and a stream per site.
example: build
	SLUICE=$(CURDIR)/$(BIN) examples/edge/run.sh

# Issue 7's stateful benchmarks, each in its own process (own peak RSS):
# 1 s tumbling AVG/COUNT over 1M JSON events with 1,000 and 100,000 device
# ids, Nexmark q5 (hopping COUNT per auction), then the first again under
# GOMEMLIMIT=150MiB (the edge profile: Go's soft memory limit), and
# pull-query key lookups on a 100k-key table (engine and REST: qps, p50,
# p99). Sizes: SLUICE_AGG_BENCH_EVENTS, SLUICE_NEXMARK_BIDS,
# SLUICE_PULL_BENCH_KEYS. Compare builds with BENCHCOUNT=5 and benchstat.
bench-agg:
	$(GO) test -run '^$$' -bench 'BenchmarkAggregateTumbling$$' -benchtime=1x -count $(BENCHCOUNT) ./exec
	$(GO) test -run '^$$' -bench 'BenchmarkAggregateTumbling100kKeys$$' -benchtime=1x -count $(BENCHCOUNT) ./exec
	$(GO) test -run '^$$' -bench 'BenchmarkNexmarkQ5Hopping$$' -benchtime=1x -count $(BENCHCOUNT) ./exec
	GOMEMLIMIT=150MiB $(GO) test -run '^$$' -bench 'BenchmarkAggregateTumbling$$' -benchtime=1x -count $(BENCHCOUNT) ./exec
	$(GO) test -run '^$$' -bench 'BenchmarkSessionFinal|BenchmarkTableRegroup|BenchmarkTableFilter' -benchtime=1x ./exec
	$(GO) test -run '^$$' -bench 'BenchmarkPullQueryLatency' -benchtime=10000x ./engine

# Longer exactly-once crash soaks of the stateful operators (bounded):
# grouped and windowed aggregation, session EMIT FINAL, the regrouping of
# multi-partition tables, the stateful table filter, and the SQL tumbling
# COUNT/SUM through the engine.
crash-agg:
	SLUICE_CRASH_KILLS=40 SLUICE_CRASH_RECORDS=200000 $(GO) test -count=3 -run TestCrashAggregateExactlyOnce ./exec
	SLUICE_CRASH_KILLS=10 SLUICE_CRASH_RECORDS=200000 $(GO) test -count=1 -run 'TestCrash(TableRegroup|TableFilter)ExactlyOnce|TestCrashSessionFinal' ./exec
	SLUICE_CRASH_KILLS=20 $(GO) test -count=2 -run TestCrashWindowedAggregate ./engine

# The randomized differential test of aggregation against its reference
# model, at length (make test runs ~600 cases; SLUICE_DIFF_SEED reproduces).
test-diff-soak:
	SLUICE_DIFF_CASES=5000 $(GO) test ./engine -run TestDifferentialAggregate -count=1 -v -timeout 20m

# A longer exactly-once crash soak of the runtime (bounded).
soak-exec:
	SLUICE_CRASH_KILLS=60 $(GO) test -count=5 -run TestCrashExactlyOnce ./exec

# A longer SIGKILL / lost-write crash soak of the commit log (bounded).
crash-soak:
	SLUICE_COMMITLOG_CRASH_ROUNDS=500 $(GO) test -count=1 -run 'TestCrash(Kill|MemFS)' ./commitlog

# Bounded fuzzing (FUZZTIME per target). Go runs one fuzz target per
# invocation, so each is listed here as package:target.
FUZZ_TARGETS := ./parser:FuzzParse ./format:FuzzJSONDecode ./format:FuzzDelimitedDecode \
	./functions:FuzzExtractJSONField ./planner:FuzzCompileExpression ./commitlog:FuzzDecodeRecords \
	./types:FuzzParse ./state:FuzzCheckpoint ./state:FuzzEscaped \
	./exec:FuzzGroupingKey ./exec:FuzzAggregateValue ./exec:FuzzWindowedKey ./exec:FuzzRegroupedRecord \
	./exec:FuzzTableFilterKey ./functions:FuzzAccumulatorState ./functions:FuzzAccumulatorRoundTrip \
	./state:FuzzWindowStoreKey ./state:FuzzSessionStoreKey ./state:FuzzChangelogKey

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

clean:
	rm -rf bin
