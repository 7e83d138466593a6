package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/sluicedb/sluice/engine"
)

// commandLog remembers the status of every command this server executed,
// by command id, for /status. ksqlDB answers /status from its command
// topic; Sluice applies a statement before /ksql returns, so every status
// here is final (SUCCESS), and the log only needs to survive as long as
// the process.
type commandLog struct {
	mu   sync.Mutex
	byID map[string]commandStatus
}

func newCommandLog() *commandLog { return &commandLog{byID: map[string]commandStatus{}} }

func (c *commandLog) record(id string, st commandStatus) {
	c.mu.Lock()
	c.byID[id] = st
	c.mu.Unlock()
}

func (c *commandLog) get(id string) (commandStatus, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.byID[id]
	return st, ok
}

func (c *commandLog) all() map[string]commandStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]commandStatus, len(c.byID))
	for k, v := range c.byID {
		out[k] = v
	}
	return out
}

type serverInfo struct {
	Version        string `json:"version"`
	KafkaClusterID string `json:"kafkaClusterId"`
	KsqlServiceID  string `json:"ksqlServiceId"`
	ServerStatus   string `json:"serverStatus"`
}

func (s *Server) handleInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]serverInfo{"KsqlServerInfo": {Version: s.opts.Version, KafkaClusterID: "sluice-builtin-log",
		KsqlServiceID: s.opts.ServiceID, ServerStatus: "RUNNING"}})
}

type health struct {
	IsHealthy bool `json:"isHealthy"`
}

type healthResponse struct {
	IsHealthy bool              `json:"isHealthy"`
	Details   map[string]health `json:"details"`
}

// handleHealthcheck reports the metastore and the log healthy when the log
// answers a topic listing; a failing log is a 503, which load balancers
// read as "take me out".
func (s *Server) handleHealthcheck(w http.ResponseWriter, r *http.Request) {
	_, err := s.eng.Log().ListTopics(r.Context())
	logOK := err == nil
	resp := healthResponse{IsHealthy: logOK, Details: map[string]health{"metastore": {IsHealthy: true}, "kafka": {IsHealthy: logOK}}}
	if !logOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(resp)
		return
	}
	writeJSON(w, resp)
}

func (s *Server) handleStatusAll(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{"commandStatuses": s.commands.all()})
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("type") + "/" + r.PathValue("entity") + "/" + r.PathValue("action")
	st, ok := s.commands.get(id)
	if !ok {
		writeError(w, http.StatusNotFound, genericError(engine.CodeNotFound, "Command not found: "+id))
		return
	}
	writeJSON(w, st)
}

// handleIsValidProperty answers whether a client may set the property:
// true for a property the engine knows, 40000 otherwise (ksqlDB's answer
// for an unknown or unsettable one).
func (s *Server) handleIsValidProperty(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, ok := s.eng.Properties()[name]; ok || isPassThroughProperty(name) {
		writeJSON(w, true)
		return
	}
	writeError(w, http.StatusBadRequest, genericError(engine.CodeBadRequest, "Not recognizable as ksql, streams, consumer, or producer property: '"+name+"'"))
}

// isPassThroughProperty accepts the prefixed families ksqlDB forwards to
// Kafka Streams and its clients; Sluice accepts them and ignores those it
// has no use for, as the engine does for SET.
func isPassThroughProperty(name string) bool {
	for _, p := range []string{"ksql.streams.", "ksql.query.", "ksql.", "streams.", "consumer.", "producer."} {
		if len(name) > len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
