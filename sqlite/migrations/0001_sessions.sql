-- Sessions and their runs. Runs live one row each, ordered by a
-- per-session sequence, so appending a run never rewrites the others.

CREATE TABLE sessions (
	session_id         TEXT    NOT NULL PRIMARY KEY,
	session_type       TEXT    NOT NULL,
	agent_id           TEXT,
	team_id            TEXT,
	workflow_id        TEXT,
	user_id            TEXT,
	session_name       TEXT,
	derived_name       TEXT    NOT NULL DEFAULT '',
	name_decided       INTEGER NOT NULL DEFAULT 0,
	name_fold          TEXT    NOT NULL DEFAULT '',
	session_state      TEXT,
	session_metrics    TEXT,
	session_data_extra TEXT,
	agent_data         TEXT,
	team_data          TEXT,
	workflow_data      TEXT,
	metadata           TEXT,
	summary            TEXT,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	run_count          INTEGER NOT NULL DEFAULT 0,
	next_seq           INTEGER NOT NULL DEFAULT 1,
	CHECK (created_at <= updated_at)
);

CREATE INDEX sessions_created_at ON sessions (created_at, session_id);
CREATE INDEX sessions_updated_at ON sessions (updated_at, session_id);
CREATE INDEX sessions_user_created_at ON sessions (user_id, created_at, session_id);
CREATE INDEX sessions_type_created_at ON sessions (session_type, created_at, session_id);
CREATE INDEX sessions_user_type_created_at
	ON sessions (user_id, session_type, created_at, session_id);
CREATE INDEX sessions_agent_type_created_at
	ON sessions (agent_id, session_type, created_at, session_id);
CREATE INDEX sessions_team_type_created_at
	ON sessions (team_id, session_type, created_at, session_id);
CREATE INDEX sessions_workflow_type_created_at
	ON sessions (workflow_id, session_type, created_at, session_id);

CREATE TABLE runs (
	session_id       TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
	seq              INTEGER NOT NULL,
	run_id           TEXT    NOT NULL,
	parent_run_id    TEXT    NOT NULL DEFAULT '',
	agent_id         TEXT    NOT NULL DEFAULT '',
	team_id          TEXT    NOT NULL DEFAULT '',
	workflow_id      TEXT    NOT NULL DEFAULT '',
	status           TEXT    NOT NULL,
	created_at       INTEGER,
	lease_expires_at INTEGER NOT NULL DEFAULT 0,
	counted          INTEGER NOT NULL DEFAULT 0,
	record           TEXT    NOT NULL,
	PRIMARY KEY (session_id, seq),
	UNIQUE (session_id, run_id)
) WITHOUT ROWID;

CREATE INDEX runs_active_lease ON runs (lease_expires_at)
	WHERE status IN ('RUNNING', 'PENDING');
