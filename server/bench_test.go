package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentos-go/agentos"
)

// benchSessions returns n copies of the reference session with metrics,
// each with its own id and creation time.
func benchSessions(b *testing.B, n int) []*agentos.Session {
	b.Helper()
	ref := loadReference(b)["rec-chat"].Session
	out := make([]*agentos.Session, n)
	for i := range out {
		s := *ref
		s.ID = fmt.Sprintf("bench-%05d", i)
		s.CreatedAt = ref.CreatedAt + int64(i)
		s.UpdatedAt = s.CreatedAt
		out[i] = &s
	}
	return out
}

func BenchmarkEncodeListPage(b *testing.B) {
	sessions := benchSessions(b, 20)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = append(buf[:0], `{"data":[`...)
		for i, s := range sessions {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendListItem(buf, s)
		}
		buf = appendPageMeta(buf, 1, 20, 10000, 0.25)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkEncodeDetail(b *testing.B) {
	ref := loadReference(b)["rec-chat"]
	runs := referenceRuns(b, ref)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendDetail(buf[:0], ref.Session, runs, detailOptions{omitNull: true})
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkEncodeRuns(b *testing.B) {
	ref := loadReference(b)["rec-chat"]
	runs := referenceRuns(b, ref)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, r := range runs {
			buf, _ = appendRunInSession(buf, r, agentos.SessionTypeAgent)
		}
	}
	b.SetBytes(int64(len(buf)))
}

// benchServer returns a server over SQLite holding n sessions shaped like
// rec-chat, each with its three runs.
func benchServer(b *testing.B, n int) *Server {
	b.Helper()
	store := openTestStore(b)
	ref := loadReference(b)["rec-chat"]
	for _, s := range benchSessions(b, n) {
		runs := referenceRuns(b, ref)
		for _, r := range runs {
			r.SessionID = s.ID
		}
		if _, err := store.ImportSession(context.Background(), s, runs); err != nil {
			b.Fatal(err)
		}
	}
	srv, err := New(Config{Store: store})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// benchRoute serves target in a loop without a network, the handler and
// store cost of one request.
func benchRoute(b *testing.B, srv *Server, target string) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d: %s", target, rec.Code, rec.Body)
		}
	}
}

func BenchmarkHandleGetSession(b *testing.B) {
	benchRoute(b, benchServer(b, 1000), "/sessions/bench-00500")
}

func BenchmarkHandleListSessions(b *testing.B) {
	benchRoute(b, benchServer(b, 1000), "/sessions?limit=20&page=3")
}
