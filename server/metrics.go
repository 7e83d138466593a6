package server

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluicedb/sluice/commitlog"
)

// metrics are the server's Prometheus collectors: counters the handlers
// bump, and a collector that reads the engine's per-query counters and the
// log's statistics at scrape time (so a scrape costs nothing between
// scrapes and always shows current values).
type metrics struct {
	reg      prometheus.Registerer
	gather   prometheus.Gatherer
	printSeq atomic.Int64

	statements      prometheus.Counter
	statementErrors prometheus.Counter
	queriesStarted  *prometheus.CounterVec
	queriesRefused  prometheus.Counter
	rowsOut         prometheus.Counter
	clientGone      prometheus.Counter
	insertsRows     prometheus.Counter
	insertsErrors   prometheus.Counter
	panics          prometheus.Counter
}

func newMetrics(s *Server, reg prometheus.Registerer, gather prometheus.Gatherer) (*metrics, error) {
	if reg == nil {
		r := prometheus.NewRegistry()
		reg = r
		if gather == nil {
			gather = r
		}
	}
	if gather == nil {
		gather = prometheus.DefaultGatherer
	}
	m := &metrics{reg: reg, gather: gather,
		statements: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_statements_total",
			Help: "Statements executed through /ksql."}),
		statementErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_statement_errors_total",
			Help: "Requests whose statements failed (user or server errors)."}),
		queriesStarted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_rest_queries_started_total",
			Help: "Queries started, by endpoint."}, []string{"endpoint"}),
		queriesRefused: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_queries_refused_total",
			Help: "Push queries refused because MaxPushQueries were running or the server was shutting down."}),
		rowsOut: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_rows_sent_total",
			Help: "Rows (and PRINT lines) sent to query clients."}),
		clientGone: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_client_disconnects_total",
			Help: "Streaming queries ended because their client went away."}),
		insertsRows: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_inserts_rows_total",
			Help: "Rows inserted through /inserts-stream."}),
		insertsErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_inserts_errors_total",
			Help: "Rows refused by /inserts-stream."}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_rest_panics_total",
			Help: "Handler panics recovered (each is a bug)."}),
	}
	cs := []prometheus.Collector{m.statements, m.statementErrors, m.queriesStarted, m.queriesRefused, m.rowsOut,
		m.clientGone, m.insertsRows, m.insertsErrors, m.panics, &engineCollector{s: s}}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.gather, promhttp.HandlerOpts{})
}

// engineCollector exports, per persistent query, the counters exec keeps
// (records in and out, processing-log errors, lag, commits and their
// latency), the running push queries, and the built-in log's append and
// fsync statistics.
type engineCollector struct{ s *Server }

var (
	descRecordsIn = prometheus.NewDesc("sluice_query_records_in_total",
		"Input records read by a persistent query.", []string{"query_id"}, nil)
	descRecordsOut = prometheus.NewDesc("sluice_query_records_out_total",
		"Rows a persistent query emitted to its sink.", []string{"query_id"}, nil)
	descProcErrors = prometheus.NewDesc("sluice_query_processing_errors_total",
		"Rows a persistent query sent to the processing log.", []string{"query_id"}, nil)
	descLag = prometheus.NewDesc("sluice_query_lag_records",
		"Readable input offsets a persistent query has not processed yet.", []string{"query_id"}, nil)
	descCommits = prometheus.NewDesc("sluice_query_commits_total",
		"Transactions a persistent query committed.", []string{"query_id"}, nil)
	descCommitMean = prometheus.NewDesc("sluice_query_commit_latency_mean_seconds",
		"Mean commit latency of a persistent query.", []string{"query_id"}, nil)
	descCommitMax = prometheus.NewDesc("sluice_query_commit_latency_max_seconds",
		"Slowest commit of a persistent query.", []string{"query_id"}, nil)
	descRestarts = prometheus.NewDesc("sluice_query_restarts_total",
		"Task restarts of a persistent query after failures.", []string{"query_id"}, nil)
	descQueries = prometheus.NewDesc("sluice_queries",
		"Queries by type and state.", []string{"type", "state"}, nil)
	descLogRecords = prometheus.NewDesc("sluice_log_appended_records_total",
		"Records appended to the built-in log (markers included).", nil, nil)
	descLogBytes = prometheus.NewDesc("sluice_log_appended_bytes_total",
		"Bytes appended to the built-in log.", nil, nil)
	descLogBatches = prometheus.NewDesc("sluice_log_append_batches_total",
		"Batches appended to the built-in log.", nil, nil)
	descLogSyncs = prometheus.NewDesc("sluice_log_syncs_total",
		"fdatasync calls of the built-in log.", nil, nil)
	descLogSyncTime = prometheus.NewDesc("sluice_log_sync_seconds_total",
		"Time spent in fdatasync by the built-in log; its rate over sluice_log_syncs_total's is the mean durable-append latency.", nil, nil)
)

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRecordsIn, descRecordsOut, descProcErrors, descLag, descCommits,
		descCommitMean, descCommitMax, descRestarts, descQueries, descLogRecords, descLogBytes, descLogBatches,
		descLogSyncs, descLogSyncTime} {
		ch <- d
	}
}

// logStats is what the built-in log offers metrics.
type logStats interface{ Stats() commitlog.Stats }

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	states := map[string]int{}
	for _, q := range c.s.eng.Catalog().Queries() {
		m := q.Metrics()
		id := q.ID
		ch <- prometheus.MustNewConstMetric(descRecordsIn, prometheus.CounterValue, float64(m.RecordsIn), id)
		ch <- prometheus.MustNewConstMetric(descRecordsOut, prometheus.CounterValue, float64(m.RecordsOut), id)
		ch <- prometheus.MustNewConstMetric(descProcErrors, prometheus.CounterValue, float64(m.ProcessingErrors), id)
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(m.Lag), id)
		ch <- prometheus.MustNewConstMetric(descCommits, prometheus.CounterValue, float64(m.Commits), id)
		ch <- prometheus.MustNewConstMetric(descCommitMean, prometheus.GaugeValue, m.CommitLatency.Seconds(), id)
		ch <- prometheus.MustNewConstMetric(descCommitMax, prometheus.GaugeValue, m.CommitLatencyMax.Seconds(), id)
		ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(m.Restarts), id)
		states[q.State()]++
	}
	for st, n := range states {
		ch <- prometheus.MustNewConstMetric(descQueries, prometheus.GaugeValue, float64(n), "PERSISTENT", st)
	}
	ch <- prometheus.MustNewConstMetric(descQueries, prometheus.GaugeValue, float64(c.s.queries.running()), "PUSH", "RUNNING")
	if ls, ok := c.s.eng.Log().(logStats); ok {
		st := ls.Stats()
		ch <- prometheus.MustNewConstMetric(descLogRecords, prometheus.CounterValue, float64(st.AppendedRecords))
		ch <- prometheus.MustNewConstMetric(descLogBytes, prometheus.CounterValue, float64(st.AppendedBytes))
		ch <- prometheus.MustNewConstMetric(descLogBatches, prometheus.CounterValue, float64(st.Batches))
		ch <- prometheus.MustNewConstMetric(descLogSyncs, prometheus.CounterValue, float64(st.Syncs))
		ch <- prometheus.MustNewConstMetric(descLogSyncTime, prometheus.CounterValue, st.SyncTime.Seconds())
	}
}
