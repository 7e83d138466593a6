package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/internal/golden"
	"github.com/sluicedb/sluice/server"
)

type goldenRequest struct {
	method, path, body string
	// headers come after the path on the request line, as Name=value.
	headers [][2]string
}

// readRequests parses testdata/server/requests.txt.
func readRequests(t *testing.T, path string) []goldenRequest {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []goldenRequest
	var cur *goldenRequest
	var body []string
	flush := func() {
		if cur != nil {
			cur.body = strings.Join(body, "\n")
			if cur.body != "" {
				cur.body += "\n"
			}
			out = append(out, *cur)
		}
		cur, body = nil, nil
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case cur == nil && (l == "" || strings.HasPrefix(l, "#")):
		case cur == nil:
			f := strings.Fields(l)
			cur = &goldenRequest{method: f[0], path: f[1]}
			for _, h := range f[2:] {
				k, v, _ := strings.Cut(h, "=")
				cur.headers = append(cur.headers, [2]string{k, v})
			}
		case l == "":
			flush()
		default:
			body = append(body, l)
		}
	}
	flush()
	return out
}

// unstable parts of responses: random query ids, timings.
var (
	transientID = regexp.MustCompile(`transient_([A-Z_]*)_[0-9a-f]{16}`)
	latency     = regexp.MustCompile(`("(?:version)":)"[^"]*"`)
)

func normalise(s string) string {
	s = transientID.ReplaceAllString(s, "transient_${1}_ID")
	return latency.ReplaceAllString(s, `$1"X"`)
}

// TestGoldenResponses sends the requests of testdata/server/requests.txt
// in order to a fresh server and compares status, content type and body
// with testdata/server/responses.golden.
func TestGoldenResponses(t *testing.T) {
	ts := startServer(t, server.Options{})
	c := &http.Client{Timeout: 20 * time.Second}
	var b strings.Builder
	for _, r := range readRequests(t, "../testdata/server/requests.txt") {
		req, err := http.NewRequest(r.method, ts.url+r.path, strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range r.headers {
			req.Header.Set(h[0], h[1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		b.WriteString("=== " + r.method + " " + r.path)
		for _, h := range r.headers {
			b.WriteString(" " + h[0] + "=" + h[1])
		}
		b.WriteString("\n")
		if r.body != "" {
			b.WriteString(r.body)
		}
		b.WriteString("--- " + resp.Status + " " + resp.Header.Get("Content-Type") + "\n")
		text := strings.TrimRight(string(body), "\n")
		if r.path == "/inserts-stream" {
			// Acks may arrive out of order (the API allows it): compare
			// them in seq order.
			text = sortAcks(text)
		}
		b.WriteString(normalise(text))
		b.WriteString("\n\n")
	}
	got := b.String()
	const goldenFile = "../testdata/server/responses.golden"
	golden.Check(t, goldenFile, got)
}

// sortAcks orders /inserts-stream acks by seq, whether they came as
// NDJSON lines or as one JSON array, keeping each ack's text as sent.
func sortAcks(body string) string {
	var acks []json.RawMessage
	array := strings.HasPrefix(body, "[")
	if array {
		if json.Unmarshal([]byte(body), &acks) != nil {
			return body
		}
	} else {
		for _, l := range strings.Split(body, "\n") {
			acks = append(acks, json.RawMessage(l))
		}
	}
	seq := func(m json.RawMessage) int64 {
		var a struct {
			Seq int64 `json:"seq"`
		}
		if json.Unmarshal(m, &a) != nil {
			return -1
		}
		return a.Seq
	}
	sort.SliceStable(acks, func(i, j int) bool { return seq(acks[i]) < seq(acks[j]) })
	parts := make([]string, len(acks))
	for i, a := range acks {
		parts[i] = string(a)
	}
	if array {
		return "[" + strings.Join(parts, ",") + "]"
	}
	return strings.Join(parts, "\n")
}
