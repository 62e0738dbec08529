#!/usr/bin/env bash
# Load test of the session read routes on loopback.
#
# Builds agentos, imports 10,000 copies of a recorded agno session (three
# runs each, with metrics) into a fresh SQLite file, serves it, and runs
# wrk against GET /sessions/{id} and GET /sessions with 32 connections.
# Prints requests per second, latency percentiles and the server's resident
# memory (VmHWM is the peak, VmRSS the current size) from /proc.
#
# With DB set to a postgres:// URL, the sessions go into a fresh schema of
# that database instead, dropped at the end, and REPLICAS servers (1 or 2)
# share it; the connections are then split evenly between the replicas.
#
# Needs: go, wrk and sqlite3 (Debian: apt-get install wrk sqlite3), and psql
# for PostgreSQL.
# Settings: SESSIONS (10000), CONNECTIONS (32), THREADS (2), DURATION (20s),
# PORT (18777), LOG_LEVEL (warn), DB (a SQLite file in a temporary folder),
# REPLICAS (1).
set -euo pipefail

SESSIONS=${SESSIONS:-10000}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20s}
PORT=${PORT:-18777}
LOG_LEVEL=${LOG_LEVEL:-warn}
DB=${DB:-}
REPLICAS=${REPLICAS:-1}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pids=()
schema=""
cleanup() {
	for pid in "${server_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$schema" ]; then
		psql "$DB" -q -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
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
if [ -n "$DB" ]; then
	schema="loadtest_$$"
	case "$DB" in *\?*) target="$DB&search_path=$schema" ;; *) target="$DB?search_path=$schema" ;; esac
else
	target="$work/app.db"
fi
"$work/agentos" import agno "$work/agno.db" --db "$target" >/dev/null

for i in $(seq 0 $((REPLICAS - 1))); do
	port=$((PORT + i))
	echo "== serving on 127.0.0.1:$port"
	"$work/agentos" serve --port "$port" --db "$target" --log-level "$LOG_LEVEL" \
		2>"$work/server-$i.log" &
	server_pids+=($!)
	for _ in $(seq 100); do
		curl -fs "http://127.0.0.1:$port/sessions?limit=1" >/dev/null && break
		sleep 0.1
	done
done
count=$(curl -fs "http://127.0.0.1:$PORT/sessions?limit=1" | sed 's/.*"total_count":\([0-9]*\).*/\1/')
echo "sessions in the database: $count"

memory() {
	for pid in "${server_pids[@]}"; do
		echo -n "[$(grep -E '^(VmHWM|VmRSS)' "/proc/$pid/status" | tr -s ' \t' ' ' |
			paste -sd ' ')] "
	done
}

run() {
	local name=$1 path=$2
	echo
	echo "== $name: GET $path, $CONNECTIONS connections, $DURATION"
	curl -fs -o /dev/null -w "status %{http_code}, %{size_download} bytes\n" \
		"http://127.0.0.1:$PORT$path"
	local i wrk_pids=()
	for i in $(seq 0 $((REPLICAS - 1))); do
		wrk -t"$THREADS" -c$((CONNECTIONS / REPLICAS)) -d"$DURATION" --latency \
			"http://127.0.0.1:$((PORT + i))$path" >"$work/wrk-$i.txt" &
		wrk_pids+=($!)
	done
	wait "${wrk_pids[@]}"
	for i in $(seq 0 $((REPLICAS - 1))); do
		[ "$REPLICAS" -gt 1 ] && echo "-- replica $i"
		grep -E 'Requests/sec|Transfer/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors|requests in' \
			"$work/wrk-$i.txt"
	done
	echo "server memory: $(memory)"
}

echo "server memory after start: $(memory)"
run "one session" "/sessions/load-05000"
run "list page" "/sessions"
run "list page, filtered by user" "/sessions?user_id=user-07@example.com&limit=20"
