package agnodb_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agnodb"
	"github.com/agentos-go/agentos/sqlite"
)

// benchSessions and benchRunsPerSession size the generated agno database:
// 1,000 sessions of 3 runs, each run a copy of a recorded agno run record
// of about 2.4 KB.
const (
	benchSessions       = 1000
	benchRunsPerSession = 3
)

// writeBenchDatabase writes an agno SQLite file of benchSessions sessions,
// double-encoded as agno stores them, and returns its path.
func writeBenchDatabase(b *testing.B) string {
	b.Helper()
	ref := readAllB(b, referenceDB)
	template := ref["rec-chat"]

	path := filepath.Join(b.TempDir(), "agno.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE agno_sessions (session_id VARCHAR NOT NULL PRIMARY KEY,
		session_type VARCHAR NOT NULL, agent_id VARCHAR, team_id VARCHAR, workflow_id VARCHAR,
		user_id VARCHAR, session_data JSON, agent_data JSON, team_data JSON, workflow_data JSON,
		metadata JSON, runs JSON, summary JSON, created_at BIGINT NOT NULL, updated_at BIGINT);
		CREATE INDEX idx_agno_sessions_created_at ON agno_sessions (created_at)`); err != nil {
		b.Fatal(err)
	}

	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	data := doubleEncode(template.Session.SessionData())
	agentData := doubleEncode(template.Session.AgentData)
	for i := range benchSessions {
		var runs []string
		for j := range benchRunsPerSession {
			record := strings.Replace(string(template.Runs[j%len(template.Runs)].Record),
				template.Runs[j%len(template.Runs)].RunID, fmt.Sprintf("run-%d-%d", i, j), 1)
			runs = append(runs, record)
		}
		if _, err := tx.Exec(`INSERT INTO agno_sessions (session_id, session_type, agent_id,
			user_id, session_data, agent_data, metadata, runs, summary, created_at, updated_at)
			VALUES (?, 'agent', 'assistant', ?, ?, ?, 'null', ?, 'null', ?, ?)`,
			fmt.Sprintf("session-%05d", i), fmt.Sprintf("user-%d", i%50), data, agentData,
			doubleEncode([]byte("["+strings.Join(runs, ", ")+"]")), 1796383576+i,
			1796383576+i); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return path
}

func doubleEncode(doc []byte) string {
	text, _ := json.Marshal(string(doc))
	return string(text)
}

func readAllB(b *testing.B, source string) map[string]agnodb.Item {
	b.Helper()
	r, err := agnodb.Open(context.Background(), source, agnodb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	items := map[string]agnodb.Item{}
	if err := r.Each(context.Background(), func(it agnodb.Item) error {
		items[it.Session.ID] = it
		return it.Err
	}); err != nil {
		b.Fatal(err)
	}
	return items
}

// BenchmarkReadAgno reads and converts every session of the generated
// database. One op is the whole database.
func BenchmarkReadAgno(b *testing.B) {
	path := writeBenchDatabase(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		r, err := agnodb.Open(ctx, path, agnodb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		runs := 0
		err = r.Each(ctx, func(it agnodb.Item) error {
			runs += len(it.Runs)
			return it.Err
		})
		r.Close()
		if err != nil || runs != benchSessions*benchRunsPerSession {
			b.Fatalf("read %d runs, %v", runs, err)
		}
	}
	b.ReportMetric(float64(benchSessions)*float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
}

// BenchmarkImportAgnoToSQLite reads the generated database and imports it
// into a new SQLite store, one transaction per session. One op is the
// whole database.
func BenchmarkImportAgnoToSQLite(b *testing.B) {
	path := writeBenchDatabase(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("app%d.db", i)),
			sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r, err := agnodb.Open(ctx, path, agnodb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		err = r.Each(ctx, func(it agnodb.Item) error {
			if it.Err != nil {
				return it.Err
			}
			_, err := store.ImportSession(ctx, it.Session, it.Runs)
			return err
		})
		b.StopTimer()
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
		_, total, err := store.ListSessions(ctx, agentos.SessionFilter{Limit: 1})
		if err != nil || total != benchSessions {
			b.Fatalf("imported %d sessions, %v", total, err)
		}
		store.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchSessions)*float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
}
