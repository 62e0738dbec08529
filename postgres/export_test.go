package postgres

import "github.com/agentos-go/agentos"

// ListQuery returns the statement and arguments ListSessions sends for f.
func ListQuery(f agentos.SessionFilter) (string, []any) { return listQuery(f) }
