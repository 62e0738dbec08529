package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
	"github.com/agentos-go/agentos/storetest"
)

func openStore(t testing.TB, url, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	url := pgtest.URL(t)
	storetest.Run(t, func(t *testing.T) agentos.SessionStore {
		return openStore(t, url, pgtest.Schema(t, url))
	})
}

func TestTwoStoresShareOneSchema(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	a := openStore(t, url, schema)
	defer a.Close()
	b := openStore(t, url, schema)
	defer b.Close()
	ctx := context.Background()
	if err := a.CreateSession(ctx, &agentos.Session{ID: "shared",
		Type: agentos.SessionTypeAgent}); err != nil {
		t.Fatal(err)
	}
	name := "renamed on b"
	if _, err := b.UpdateSession(ctx, "shared", agentos.Scope{},
		agentos.SessionUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	got, err := a.GetSession(ctx, "shared", agentos.Scope{})
	if err != nil || got.DisplayName() != name {
		t.Fatalf("a sees %+v, %v", got, err)
	}
}

func TestUnreachableServer(t *testing.T) {
	_, err := postgres.Open(context.Background(),
		"postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2",
		postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("open on a closed port: %v", err)
	}
}

func TestClosedPoolIsUnavailable(t *testing.T) {
	url := pgtest.URL(t)
	s := openStore(t, url, pgtest.Schema(t, url))
	_ = s.Close()
	_, err := s.GetSession(context.Background(), "x", agentos.Scope{})
	if err == nil || agentos.ErrorCode(err) == agentos.ENOTFOUND {
		t.Fatalf("read on a closed store = %v, want a failure that is not ENOTFOUND", err)
	}
	if code := agentos.ErrorCode(err); code != agentos.EUNAVAILABLE {
		t.Fatalf("read on a closed store: code %q (%v), want %q", code, err,
			agentos.EUNAVAILABLE)
	}
}

func TestInvalidSchemaName(t *testing.T) {
	_, err := postgres.Open(context.Background(), pgtest.DefaultURL,
		postgres.Options{Schema: "bad; DROP"})
	if err == nil || !strings.Contains(err.Error(), "invalid schema") {
		t.Fatalf("err = %v", err)
	}
}

func TestSchemaFromURL(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := postgres.Open(context.Background(), url+sep+"search_path="+schema,
		postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Schema() != schema {
		t.Fatalf("schema = %q, want %q from the URL", s.Schema(), schema)
	}
}
