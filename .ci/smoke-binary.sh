#!/usr/bin/env bash
# Runs the compiled binary from an empty folder: --version, serve with the built-in default
# config, /health, and one MCP round trip; then stops it and checks it left nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/dist/mcp-gateway"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

version=$("$bin" --version)
echo "$version"
[[ "$version" =~ ^mcp-gateway\ [0-9]+\.[0-9]+\.[0-9]+\ \([0-9a-f]{7}\)$ ]] || { echo "bad --version: $version" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOME="$work" XDG_STATE_HOME="$work/state" MCP_GATEWAY_CODE_MODE__ENABLED=true "$bin" serve --port "$port" >"$work/stdout" 2>"$work/stderr" &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
health=$(curl -fsS "http://127.0.0.1:$port/health")
echo "health: $health"
grep -q '"status":"ok"' <<<"$health"

init=$(curl -fsS -X POST "http://127.0.0.1:$port/mcp" \
  -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -D "$work/headers" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"smoke","version":"1"}}}')
grep -q '"serverInfo"' <<<"$init"
session=$(grep -i '^mcp-session-id:' "$work/headers" | cut -d' ' -f2 | tr -d '\r')
list=$(curl -fsS -X POST "http://127.0.0.1:$port/mcp" \
  -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -H "mcp-session-id: $session" -H 'mcp-protocol-version: 2025-11-25' \
  -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')
grep -q 'gateway_invoke' <<<"$list"
echo "tools/list: ok"

# Code mode: QuickJS's WebAssembly must be embedded in the binary for a script to run.
curl -fsS -X POST "http://127.0.0.1:$port/mcp?codemode=search_and_execute" \
  -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -D "$work/headers2" \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"smoke","version":"1"}}}' >/dev/null
session2=$(grep -i '^mcp-session-id:' "$work/headers2" | cut -d' ' -f2 | tr -d '\r')
executed=$(curl -fsS -X POST "http://127.0.0.1:$port/mcp?codemode=search_and_execute" \
  -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -H "mcp-session-id: $session2" -H 'mcp-protocol-version: 2025-11-25' \
  -d '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"gateway_execute","arguments":{"code":"const n: number = 6; return n * 7"}}}')
grep -q '"result":42' <<<"$executed" || { echo "gateway_execute failed: $executed" >&2; exit 1; }
echo "gateway_execute: ok"

kill -TERM "$pid"
wait "$pid" || true
[ ! -s "$work/stdout" ] || { echo "serve wrote to stdout:" >&2; cat "$work/stdout" >&2; exit 1; }
echo "binary smoke test passed"
