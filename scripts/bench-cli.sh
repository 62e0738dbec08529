#!/bin/sh
# Measures `agentos sessions list` from process start to exit against a
# local agentos serve holding 1,000 sessions. Needs hyperfine and curl.
# Usage: scripts/bench-cli.sh [port]
set -eu

port=${1:-7791}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/agentos" ./cmd/agentos
"$work/agentos" serve --db "$work/app.db" --port "$port" >"$work/serve.log" 2>&1 &
server=$!
export AGENTOS_BASE_URL="http://127.0.0.1:$port"
until "$work/agentos" health >/dev/null 2>&1; do sleep 0.2; done

i=1
while [ "$i" -le 1000 ]; do
	body=$(printf '{"session_id":"bench-%04d","agent_id":"assistant","user_id":"user-%d","session_name":"Benchmark session %d","session_state":{"n":%d}}' \
		"$i" $((i % 10)) "$i" "$i")
	curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
		--data-binary "$body" "$AGENTOS_BASE_URL/sessions"
	i=$((i + 1))
done

hyperfine -N --warmup 10 --runs 200 \
	"$work/agentos --help" \
	"$work/agentos sessions list" \
	"$work/agentos sessions list --limit 100" \
	"$work/agentos sessions list --user user-3 --name 'session 1'" \
	"$work/agentos sessions list --all --limit 100" \
	"$work/agentos sessions get bench-0500" \
	"$work/agentos manage-sessions --base-url $AGENTOS_BASE_URL"
