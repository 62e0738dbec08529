#!/usr/bin/env bash
# Load test of the session read routes on loopback.
#
# Builds agentos, imports 10,000 copies of a recorded agno session (three
# runs each, with metrics) into a fresh SQLite file, serves it, and runs
# wrk against GET /sessions/{id} and GET /sessions with 32 connections.
# Prints requests per second, latency percentiles and the server's resident
# memory (VmHWM is the peak, VmRSS the current size) from /proc.
#
# Needs: go, wrk and sqlite3 (Debian: apt-get install wrk sqlite3).
# Settings: SESSIONS (10000), CONNECTIONS (32), THREADS (2), DURATION (20s),
# PORT (18777), LOG_LEVEL (warn).
set -euo pipefail

SESSIONS=${SESSIONS:-10000}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20s}
PORT=${PORT:-18777}
LOG_LEVEL=${LOG_LEVEL:-warn}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

for tool in go wrk sqlite3 curl; do
	command -v "$tool" >/dev/null || { echo "loadtest: $tool is not installed" >&2; exit 1; }
done

echo "== building agentos"
(cd "$root" && go build -o "$work/agentos" ./cmd/agentos)

echo "== making an agno database with $SESSIONS sessions"
cp "$root/testdata/agno-2.9/agno-reference.db" "$work/agno.db"
sqlite3 "$work/agno.db" <<SQL
DELETE FROM agno_sessions WHERE session_id <> 'rec-chat';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $SESSIONS - 1)
INSERT INTO agno_sessions (session_id, session_type, agent_id, team_id, workflow_id, user_id,
	session_data, agent_data, team_data, workflow_data, metadata, runs, summary,
	created_at, updated_at)
SELECT printf('load-%05d', i), session_type, agent_id, team_id, workflow_id,
	printf('user-%02d@example.com', i % 50), session_data, agent_data, team_data,
	workflow_data, metadata, runs, summary, created_at + i, updated_at + i
FROM agno_sessions, n WHERE session_id = 'rec-chat';
SQL
"$work/agentos" import agno "$work/agno.db" --db "$work/app.db" >/dev/null

echo "== serving on 127.0.0.1:$PORT"
"$work/agentos" serve --port "$PORT" --db "$work/app.db" --log-level "$LOG_LEVEL" \
	2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$PORT/sessions?limit=1" >/dev/null && break
	sleep 0.1
done
count=$(curl -fs "http://127.0.0.1:$PORT/sessions?limit=1" | sed 's/.*"total_count":\([0-9]*\).*/\1/')
echo "sessions in the database: $count"

memory() {
	grep -E '^(VmHWM|VmRSS)' "/proc/$server_pid/status" | tr -s ' \t' ' ' | paste -sd ' '
}

run() {
	local name=$1 path=$2
	echo
	echo "== $name: GET $path, $CONNECTIONS connections, $DURATION"
	curl -fs -o /dev/null -w "status %{http_code}, %{size_download} bytes\n" \
		"http://127.0.0.1:$PORT$path"
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$path" |
		grep -E 'Requests/sec|Transfer/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors|requests in'
	echo "server memory: $(memory)"
}

echo "server memory after start: $(memory)"
run "one session" "/sessions/load-05000"
run "list page" "/sessions"
run "list page, filtered by user" "/sessions?user_id=user-07@example.com&limit=20"
