package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/engine"
)

// A panic in a handler becomes a 500 with an error body and is counted;
// the server keeps serving.
func TestPanicIsRecovered(t *testing.T) {
	eng, err := engine.Open(context.Background(), engine.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	s, err := New(eng, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error_code":50000`) || !strings.Contains(rec.Body.String(), "boom") {
		t.Fatalf("panic: %d %s", rec.Code, rec.Body.String())
	}
	mfs, err := s.metrics.gather.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := false
	for _, mf := range mfs {
		if mf.GetName() == "sluice_rest_panics_total" {
			counted = mf.GetMetric()[0].GetCounter().GetValue() == 1
		}
	}
	if !counted {
		t.Fatal("the panic was not counted")
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/info", nil))
	if rec.Code != 200 {
		t.Fatalf("after a panic: %d", rec.Code)
	}
}

// httpStatus maps codes by their first three digits and never turns an
// odd code into a 500.
func TestHTTPStatus(t *testing.T) {
	for code, want := range map[int]int{40000: 400, 40001: 400, 40002: 400, 40400: 404, 41300: 413, 41700: 417,
		42900: 429, 50000: 500, 50302: 503, 12345: 400, 0: 400, 49999: 400} {
		if got := httpStatus(code); got != want {
			t.Errorf("httpStatus(%d) = %d, want %d", code, got, want)
		}
	}
}
