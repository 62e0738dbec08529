-- Sessions and their runs, as in the SQLite store: runs live one row each,
-- ordered by a per-session sequence. JSON values are TEXT, not JSONB, so a
-- run record's bytes, key order and number text come back unchanged.
-- Sortable text columns use the "C" collation and nullable ones index NULLs
-- first, so that lists sort in the same byte order as SQLite, with NULLs
-- first when ascending, and every sort reads an index in order.

CREATE TABLE sessions (
	session_id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
	session_type       TEXT COLLATE "C"    NOT NULL,
	agent_id           TEXT COLLATE "C",
	team_id            TEXT COLLATE "C",
	workflow_id        TEXT COLLATE "C",
	user_id            TEXT COLLATE "C",
	session_name       TEXT,
	derived_name       TEXT    NOT NULL DEFAULT '',
	name_decided       BOOLEAN NOT NULL DEFAULT FALSE,
	name_fold          TEXT    NOT NULL DEFAULT '' COLLATE "C",
	session_state      TEXT,
	session_metrics    TEXT,
	session_data_extra TEXT,
	agent_data         TEXT,
	team_data          TEXT,
	workflow_data      TEXT,
	metadata           TEXT,
	summary            TEXT,
	created_at         BIGINT  NOT NULL,
	updated_at         BIGINT  NOT NULL,
	run_count          INTEGER NOT NULL DEFAULT 0,
	next_seq           BIGINT  NOT NULL DEFAULT 1,
	CHECK (created_at <= updated_at)
);

CREATE INDEX sessions_created_at ON sessions (created_at, session_id);
CREATE INDEX sessions_updated_at ON sessions (updated_at, session_id);
CREATE INDEX sessions_user_created_at ON sessions (user_id NULLS FIRST, created_at, session_id);
CREATE INDEX sessions_type_created_at ON sessions (session_type, created_at, session_id);
CREATE INDEX sessions_user_type_created_at
	ON sessions (user_id NULLS FIRST, session_type, created_at, session_id);
CREATE INDEX sessions_agent_type_created_at
	ON sessions (agent_id NULLS FIRST, session_type, created_at, session_id);
CREATE INDEX sessions_team_type_created_at
	ON sessions (team_id NULLS FIRST, session_type, created_at, session_id);
CREATE INDEX sessions_workflow_type_created_at
	ON sessions (workflow_id NULLS FIRST, session_type, created_at, session_id);
CREATE INDEX sessions_name_fold ON sessions (name_fold, session_id);
CREATE INDEX sessions_type_id ON sessions (session_type, session_id);
CREATE INDEX sessions_user_id ON sessions (user_id NULLS FIRST, session_id);
CREATE INDEX sessions_agent_id ON sessions (agent_id NULLS FIRST, session_id);
CREATE INDEX sessions_team_id ON sessions (team_id NULLS FIRST, session_id);
CREATE INDEX sessions_workflow_id ON sessions (workflow_id NULLS FIRST, session_id);

CREATE TABLE runs (
	session_id       TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
	seq              BIGINT  NOT NULL,
	run_id           TEXT    NOT NULL,
	parent_run_id    TEXT    NOT NULL DEFAULT '',
	agent_id         TEXT COLLATE "C"    NOT NULL DEFAULT '',
	team_id          TEXT COLLATE "C"    NOT NULL DEFAULT '',
	workflow_id      TEXT COLLATE "C"    NOT NULL DEFAULT '',
	status           TEXT    NOT NULL,
	created_at       BIGINT,
	lease_expires_at BIGINT  NOT NULL DEFAULT 0,
	counted          BOOLEAN NOT NULL DEFAULT FALSE,
	record           TEXT    NOT NULL,
	PRIMARY KEY (session_id, seq),
	UNIQUE (session_id, run_id)
);

CREATE INDEX runs_active_lease ON runs (lease_expires_at)
	WHERE status IN ('RUNNING', 'PENDING');

-- Cancel requests, so that a replica that missed a notification, or a run
-- that starts after the request, still sees it. Rows expire.
CREATE TABLE run_cancels (
	run_id     TEXT   NOT NULL PRIMARY KEY,
	expires_at BIGINT NOT NULL
);
