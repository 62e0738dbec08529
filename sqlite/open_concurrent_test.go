package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentos-go/agentos/sqlite"
)

// TestOpenNewFileConcurrently opens one new file from several goroutines at
// once, as a server and an import started together do. Each opener must
// wait for the others' migrations instead of failing or applying them twice.
func TestOpenNewFileConcurrently(t *testing.T) {
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "app.db")
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}
