// Package sqlitedriver compares the SQLite store on two database/sql
// drivers: modernc.org/sqlite (pure Go, the one agentos ships) and
// github.com/mattn/go-sqlite3 (cgo). It is a separate module so that the
// agentos module keeps a single driver and builds without a C compiler.
//
//	cd bench/sqlitedriver && go test -run '^$' -bench . -benchtime 2000x
package sqlitedriver

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/sqlite"
	"github.com/google/uuid"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// mattnDriver is go-sqlite3 with the memory map the store gives modernc by
// default, so that both drivers read the file the same way.
const mattnDriver = "sqlite3_mmap"

func init() {
	sql.Register(mattnDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			_, err := conn.Exec("PRAGMA mmap_size = 268435456", nil)
			return err
		},
	})
}

var drivers = []struct{ name, driver string }{
	{"modernc", ""},
	{"mattn", mattnDriver},
}

const fixtureSessions = 100_000

// fixture is a database of fixtureSessions sessions, built once and copied
// for each benchmark that needs it.
var fixture struct {
	once sync.Once
	path string
	err  error
}

func fixturePath(b *testing.B) string {
	b.Helper()
	fixture.once.Do(func() {
		dir, err := os.MkdirTemp("", "sqlitedriver")
		if err != nil {
			fixture.err = err
			return
		}
		fixture.path = filepath.Join(dir, "fixture.db")
		fixture.err = buildFixture(fixture.path, fixtureSessions)
	})
	if fixture.err != nil {
		b.Fatal(fixture.err)
	}
	return fixture.path
}

// buildFixture creates the store's schema at path, then inserts n sessions
// spread over 50 owners, 20 agents and two types in one transaction.
func buildFixture(path string, n int) error {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	stmt, err := tx.Prepare(`INSERT INTO sessions (session_id, session_type, agent_id, team_id,
		user_id, session_name, name_fold, session_state, session_metrics, agent_data,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i := range n {
		typ, agentID, teamID := "agent", any(fmt.Sprintf("agent-%02d", i%20)), any(nil)
		if i%4 == 3 {
			typ, agentID, teamID = "team", nil, fmt.Sprintf("team-%02d", i%20)
		}
		name := fmt.Sprintf("Conversation %d about topic %d", i, i%1000)
		created := 1796383576 + int64(i/10)
		if _, err := stmt.Exec(fmt.Sprintf("session-%07d", i), typ, agentID, teamID,
			fmt.Sprintf("user-%02d", i%50), name, agentos.FoldName(name),
			`{"step":3,"cart":["tea","milk"]}`,
			`{"input_tokens":812,"output_tokens":190,"total_tokens":1002}`,
			`{"name":"Assistant","agent_id":"assistant"}`, created, created); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, q := range []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	return nil
}

// openCopy opens a store on a copy of the file at from, or on a new file
// when from is empty.
func openCopy(b *testing.B, driver, from string) *sqlite.Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), "app.db")
	if from != "" {
		if err := copyFile(from, path); err != nil {
			b.Fatal(err)
		}
	}
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{Driver: driver})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close()
		return err
	}
	return dst.Close()
}

func ptr[T any](v T) *T { return &v }

func BenchmarkCreateSession(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			s := openCopy(b, d.driver, fixturePath(b))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				err := s.CreateSession(ctx, &agentos.Session{ID: uuid.NewString(),
					Type: agentos.SessionTypeAgent, AgentID: "assistant", UserID: ptr("alice")})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGetSession(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			s := openCopy(b, d.driver, fixturePath(b))
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				id := fmt.Sprintf("session-%07d", (i*7919)%fixtureSessions)
				if _, err := s.GetSession(ctx, id, agentos.Scope{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListSessions(b *testing.B) {
	agent := agentos.SessionTypeAgent
	filters := []struct {
		name string
		f    agentos.SessionFilter
	}{
		{"Newest", agentos.SessionFilter{Descending: true}},
		{"ByUser", agentos.SessionFilter{UserID: ptr("user-07"), Descending: true}},
		{"ByAgent", agentos.SessionFilter{ComponentID: ptr("agent-04"), Type: &agent,
			Descending: true}},
		{"ByName", agentos.SessionFilter{Name: ptr("TOPIC 42"), Descending: true}},
	}
	for _, d := range drivers {
		for _, tc := range filters {
			b.Run(tc.name+"/"+d.name, func(b *testing.B) {
				s := openCopy(b, d.driver, fixturePath(b))
				ctx := context.Background()
				f := tc.f
				f.Limit = 20
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := s.ListSessions(ctx, f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// runRecord is a completed run of about 1.2 KB, as agno stores one.
func runRecord(runID string) json.RawMessage {
	return fmt.Appendf(nil, `{"run_id":%q,"agent_id":"assistant","agent_name":"Assistant",`+
		`"session_id":"s","user_id":"alice","content":"Mainly the Moon's gravity.",`+
		`"content_type":"str","model":"gpt-4o","model_provider":"OpenAI","session_state":{},`+
		`"created_at":1796383576,"status":"COMPLETED","metrics":{"input_tokens":95,`+
		`"output_tokens":41,"total_tokens":136,"time_to_first_token":0.41,"duration":1.87},`+
		`"messages":[{"id":"m-1","content":"Answer briefly.","role":"system",`+
		`"created_at":1796383576},{"id":"m-2","content":"What causes tides?","role":"user",`+
		`"created_at":1796383576},{"id":"m-3","content":"Mainly the Moon's gravity.",`+
		`"role":"assistant","metrics":{"input_tokens":95,"output_tokens":41,`+
		`"total_tokens":136},"created_at":1796383577}],`+
		`"input":{"input_content":"What causes tides?"}}`, runID)
}

func BenchmarkAddRun(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			s := openCopy(b, d.driver, "")
			ctx := context.Background()
			err := s.CreateSession(ctx, &agentos.Session{ID: "s",
				Type: agentos.SessionTypeAgent, AgentID: "assistant"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				r, err := agentos.NewRun("s", runRecord(fmt.Sprintf("r-%d", i)))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.AddRun(ctx, r, agentos.SessionChange{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListRuns(b *testing.B) {
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			s := openCopy(b, d.driver, "")
			ctx := context.Background()
			err := s.CreateSession(ctx, &agentos.Session{ID: "s",
				Type: agentos.SessionTypeAgent, AgentID: "assistant"})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 100 {
				r, err := agentos.NewRun("s", runRecord(fmt.Sprintf("r-%d", i)))
				if err == nil {
					err = s.AddRun(ctx, r, agentos.SessionChange{})
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				runs, err := s.ListRuns(ctx, "s", agentos.RunFilter{})
				if err != nil || len(runs) != 100 {
					b.Fatalf("list runs = %d, %v", len(runs), err)
				}
			}
		})
	}
}
