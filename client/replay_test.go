package client_test

import (
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/agentos-go/agentos/client"
	"github.com/agentos-go/agentos/internal/recording"
)

const recordings = "../testdata/agno-2.9/recordings"

var (
	loadOnce  sync.Once
	exchanges []*recording.Exchange
	loadErr   error
)

func exchange(t testing.TB, name string) *recording.Exchange {
	t.Helper()
	loadOnce.Do(func() { exchanges, loadErr = recording.LoadAll(recordings) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	ex := recording.Find(exchanges, name)
	if ex == nil {
		t.Fatalf("no recording %s", name)
	}
	return ex
}

// replay returns a client of a server that expects the requests of the
// named recordings in order and sends their recorded responses. The
// test fails when a request differs from its recording or is never sent.
func replay(t *testing.T, names ...string) *client.Client {
	t.Helper()
	played := make([]*recording.Exchange, len(names))
	for i, name := range names {
		played[i] = exchange(t, name)
	}
	replayer := recording.NewReplayer(played...)
	srv := httptest.NewServer(replayer)
	t.Cleanup(func() {
		srv.Close()
		if err := replayer.Err(); err != nil {
			t.Errorf("replay: %v", err)
		}
	})
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(""))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
