package server

import (
	"net/http"
	"testing"

	"github.com/agentos-go/agentos/internal/storetesting"
)

// TestUnstorableTextIsNeverServerError sends ids, owners and names with a
// NUL character or bytes that are not UTF-8. SQLite stores them; PostgreSQL
// text cannot, so its store rejects such writes and matches nothing on
// reads. Neither backend may return a 5xx status.
func TestUnstorableTextIsNeverServerError(t *testing.T) {
	storetesting.Each(t, func(t *testing.T, kind storetesting.Kind) {
		ts := newTestServerOn(t, kind)
		ts.create("", `{"session_id":"s1","session_name":"Plain"}`)
		for _, req := range []struct{ method, target, body string }{
			{"POST", "/sessions", `{"session_id":"a","session_name":"x\u0000y"}`},
			{"POST", "/sessions", `{"session_id":"b\u0000"}`},
			{"POST", "/sessions", `{"session_id":"c","user_id":"\u0000"}`},
			{"POST", "/sessions", "{\"session_id\":\"d\",\"metadata\":{\"k\":\"\xff\"}}"},
			{"GET", "/sessions?user_id=%ff", ""},
			{"GET", "/sessions?user_id=%00", ""},
			{"GET", "/sessions?session_name=%00", ""},
			{"GET", "/sessions?component_id=%ff&type=agent", ""},
			{"GET", "/sessions/%ff", ""},
			{"GET", "/sessions/%00/runs", ""},
			{"GET", "/sessions/s1/runs/%00", ""},
			{"POST", "/sessions/s1/rename", `{"session_name":"bad\u0000name"}`},
			{"PATCH", "/sessions/s1", "{\"session_state\":{\"k\":\"\xfe\"}}"},
			{"POST", "/sessions/%00/clear", ""},
			{"DELETE", "/sessions/%ff", ""},
		} {
			resp := ts.do(req.method, req.target, req.body)
			if resp.status >= 500 {
				t.Errorf("%s %s: status %d, want a 4xx or success; body %s", req.method,
					req.target, resp.status, resp.body)
			}
		}
		got := ts.do("GET", "/sessions/s1", "").object(t, http.StatusOK)
		if kind == storetesting.Postgres && got["session_name"] != "Plain" {
			t.Errorf("session_name = %v after rejected renames, want Plain",
				got["session_name"])
		}
	})
}
