package auth_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentos-go/agentos/auth"
)

// decodeBody responds 422 when the body is not JSON, as the API's handlers
// do, and 200 with the number of bytes read otherwise.
var decodeBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	var v any
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = io.WriteString(w, `{"detail":"bad body"}`)
		return
	}
	w.WriteHeader(http.StatusOK)
})

// chunked hides a reader's length, so the client sends it chunked.
type chunked struct{ io.Reader }

func TestBodyLimit(t *testing.T) {
	srv := newGuardServer(t, auth.Config{MaxBodyBytes: 64}, decodeBody)
	small := `{"session_name": "ok"}`
	big := `{"session_name": "` + strings.Repeat("x", 100) + `"}`
	wantDetail := "Request body too large: the limit is 64 bytes"

	if resp := do(t, "POST", srv.URL+"/sessions", small); resp.status != 200 {
		t.Errorf("small body: status %d, want 200", resp.status)
	}
	resp := do(t, "POST", srv.URL+"/sessions", big)
	if resp.status != 413 || resp.detail() != wantDetail {
		t.Errorf("declared large body: got %d %s, want 413 %q", resp.status, resp.body, wantDetail)
	}

	for _, body := range []string{big, big[:70]} {
		req, err := http.NewRequest("POST", srv.URL+"/sessions", chunked{strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 || !strings.Contains(string(data), wantDetail) {
			t.Errorf("chunked body of %d bytes: got %d %s, want 413", len(body), res.StatusCode, data)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("chunked body: Content-Type = %q, want application/json", ct)
		}
	}
}

func TestBodyLimitAfterAuthentication(t *testing.T) {
	srv := newGuardServer(t, auth.Config{SecurityKey: testKey, MaxBodyBytes: 8}, decodeBody)
	resp := do(t, "POST", srv.URL+"/sessions", strings.Repeat("x", 100))
	if resp.status != 401 {
		t.Errorf("large body without a key: status %d, want 401", resp.status)
	}
}

func TestBodyLimitOff(t *testing.T) {
	srv := newGuardServer(t, auth.Config{MaxBodyBytes: -1}, decodeBody)
	body := `"` + strings.Repeat("x", 11<<20) + `"`
	if resp := do(t, "POST", srv.URL+"/sessions", body); resp.status != 200 {
		t.Errorf("status = %d, want 200", resp.status)
	}
}

// TestRunRoutesOutliveWriteTimeout checks that run routes get the run
// timeout and other routes the write timeout. The handler sleeps well past
// the short timeout, so the outcome does not depend on scheduling.
func TestRunRoutesOutliveWriteTimeout(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(300 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "done")
	})
	srv := newGuardServer(t, auth.Config{WriteTimeout: 50 * time.Millisecond, RunTimeout: time.Minute},
		slow)

	if resp := do(t, "POST", srv.URL+"/agents/a1/runs", "message=hi"); resp.status != 200 {
		t.Errorf("run route: status %d, want 200", resp.status)
	}
	res, err := http.Get(srv.URL + "/sessions")
	if err == nil {
		data, readErr := io.ReadAll(res.Body)
		res.Body.Close()
		if readErr == nil && string(data) == "done" {
			t.Errorf("ordinary route finished after its write deadline")
		}
	}
}
