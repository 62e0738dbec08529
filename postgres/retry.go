package postgres

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maxAttempts bounds how often inTx runs a transaction that failed in a way
// that is safe to repeat.
const maxAttempts = 3

// inTx runs fn in a transaction and commits when fn returns nil. A
// transaction that fails before its commit is sent, on a deadlock, a
// serialization failure or a connection the server dropped, changed
// nothing: it is rolled back and run again on another connection. A
// failure while committing is returned as it is, because the commit may
// have happened.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		committing, err := s.tryTx(ctx, fn)
		if err == nil || committing || attempt == maxAttempts || !retryable(ctx, err) {
			return err
		}
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(pgx.Tx) error) (committing bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return false, err
	}
	return true, tx.Commit(ctx)
}

// idempotent runs fn, which reads or makes a change that may be made twice,
// once more when it failed on a connection that broke, so that a pool
// holding connections the server dropped recovers without failing
// requests. The pool replaces the broken connection.
func (s *Store) idempotent(ctx context.Context, fn func() error) error {
	err := fn()
	if err != nil && retryable(ctx, err) {
		err = fn()
	}
	return err
}

// unapplied runs fn, a single statement that must not be applied twice,
// once more when it failed before the server ran it: when nothing was sent,
// or when the server answered with an error, such as the one it sends
// from a connection it terminated. A connection lost while waiting for the
// answer is not retried, since the statement may have been applied.
func (s *Store) unapplied(ctx context.Context, fn func() error) error {
	err := fn()
	var pgErr *pgconn.PgError
	if err != nil && ctx.Err() == nil && (pgconn.SafeToRetry(err) ||
		errors.As(err, &pgErr) && connectionState(pgErr.Code)) {
		err = fn()
	}
	return err
}

// retryable reports whether err left the database unchanged in a way that
// running the work again may fix.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40P01" || pgErr.Code == "40001" || connectionState(pgErr.Code)
	}
	return connectionLost(err)
}

// connectionState reports whether a SQLSTATE says that the connection or
// the server went away: class 08, or the server shutting down or starting.
func connectionState(code string) bool {
	return len(code) == 5 && code[:2] == "08" || code == "57P01" || code == "57P02" ||
		code == "57P03"
}

// connectionLost reports whether err comes from a connection that broke,
// rather than from a statement. A refused connection is not included: the
// server is down and trying again at once would not help.
func connectionLost(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return false
	}
	var netErr net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) ||
		errors.As(err, &netErr)
}
