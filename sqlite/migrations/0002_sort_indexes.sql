-- Indexes for the remaining sort fields of session listings, each ending
-- with session_id, the tie-breaker, so that a sorted page reads index
-- entries in order instead of sorting every matching session. The
-- displayed name is the explicit name, else the derived one.

CREATE INDEX sessions_type_id ON sessions (session_type, session_id);
CREATE INDEX sessions_user_id ON sessions (user_id, session_id);
CREATE INDEX sessions_agent_id ON sessions (agent_id, session_id);
CREATE INDEX sessions_team_id ON sessions (team_id, session_id);
CREATE INDEX sessions_workflow_id ON sessions (workflow_id, session_id);
CREATE INDEX sessions_display_name
	ON sessions (COALESCE(session_name, derived_name), session_id);
CREATE INDEX sessions_user_updated_at ON sessions (user_id, updated_at, session_id);

-- The name filter tests every folded name with instr(), which no B-tree can
-- narrow, but counting its matches then reads this small index instead of
-- every row.
CREATE INDEX sessions_name_fold ON sessions (name_fold);
