package client_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentos-go/agentos/client"
)

// sessionPage returns a listing body with n sessions shaped like the
// recorded rec-chat item.
func sessionPage(b *testing.B, n int) []byte {
	b.Helper()
	var recorded struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(exchange(b, "24-sessions-list-default").Response.Body,
		&recorded); err != nil {
		b.Fatal(err)
	}
	item := recorded.Data[8]
	data := make([]map[string]any, n)
	for i := range data {
		copied := map[string]any{}
		for k, v := range item {
			copied[k] = v
		}
		copied["session_id"] = fmt.Sprintf("session-%04d", i)
		data[i] = copied
	}
	body, err := json.Marshal(map[string]any{"data": data, "meta": map[string]any{
		"page": 1, "limit": n, "total_pages": 1, "total_count": n, "search_time_ms": 0.0,
	}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkListSessions(b *testing.B) {
	for _, n := range []int{20, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			body := sessionPage(b, n)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(body)
			}))
			defer srv.Close()
			c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(""))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				page, err := c.ListSessions(ctx, &client.ListSessionsOptions{Limit: n})
				if err != nil || len(page.Data) != n {
					b.Fatalf("%d sessions, %v", len(page.Data), err)
				}
			}
		})
	}
}

func BenchmarkEventReader(b *testing.B) {
	stream := string(exchange(b, "05-run-stream-true").Response.Body)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		r := client.NewEventReader(strings.NewReader(stream))
		n := 0
		for {
			if _, err := r.Next(); err != nil {
				break
			}
			n++
		}
		if n == 0 {
			b.Fatal("no events")
		}
	}
}
