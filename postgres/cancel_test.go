package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentos-go/agentos/internal/pgtest"
	"github.com/agentos-go/agentos/postgres"
)

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: cancel not delivered within 10s", what)
	}
}

func TestCancelAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	a := openStore(t, url, schema)
	defer a.Close()
	b := openStore(t, url, schema)
	defer b.Close()
	brokerA := postgres.NewCancels(a, 0, nil)
	defer brokerA.Close()
	brokerB := postgres.NewCancels(b, 0, nil)
	defer brokerB.Close()

	ch, stop := brokerB.Watch("run-1")
	defer stop()
	other, stopOther := brokerB.Watch("run-2")
	defer stopOther()
	if err := brokerA.RequestCancel(context.Background(), "run-1"); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, ch, "watch on the other replica")
	select {
	case <-other:
		t.Fatal("a cancel of run-1 stopped run-2")
	case <-time.After(200 * time.Millisecond):
	}

	// A request made before the run starts still stops it.
	if err := brokerA.RequestCancel(context.Background(), "run-3"); err != nil {
		t.Fatal(err)
	}
	late, stopLate := brokerB.Watch("run-3")
	defer stopLate()
	waitClosed(t, late, "watch begun after the request")
}

func TestCancelsSurviveLostListener(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	a := openStore(t, url, schema)
	defer a.Close()
	broker := postgres.NewCancels(a, 0, nil)
	defer broker.Close()
	ch, stop := broker.Watch("run-x")
	defer stop()
	time.Sleep(300 * time.Millisecond)
	// Drop every listening connection of this test's schema.
	if _, err := a.Pool().Exec(context.Background(), `SELECT pg_terminate_backend(pid)
		FROM pg_stat_activity WHERE query LIKE 'LISTEN "agentos_cancel_`+schema+`"%'`); err != nil {
		t.Fatal(err)
	}
	other := openStore(t, url, schema)
	defer other.Close()
	sender := postgres.NewCancels(other, 0, nil)
	defer sender.Close()
	if err := sender.RequestCancel(context.Background(), "run-x"); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, ch, "watch whose listener was terminated")
}
