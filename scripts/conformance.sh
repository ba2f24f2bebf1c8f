#!/usr/bin/env bash
# Runs the MCP conformance suite (@modelcontextprotocol/conformance) against `loom mcp` serving
# configs/mcp/example.yaml over streamable HTTP. The suite needs Node >= 22; the npm package
# `node@22` provides one for this run only (npx puts its `node` first on PATH).
#
#   scripts/conformance.sh              # every scenario below
#   scripts/conformance.sh ping tools-list
set -euo pipefail
cd "$(dirname "$0")/.."

CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-0.1.16}"
SCENARIOS=(
  server-initialize ping logging-set-level tools-list resources-list prompts-list
  completion-complete resources-subscribe resources-unsubscribe dns-rebinding-protection
  server-sse-multiple-streams
)
if [ "$#" -gt 0 ]; then SCENARIOS=("$@"); fi

[ -f dist/cli/main.js ] || npm run build

log="$(mktemp)"
node dist/cli/main.js mcp --config configs/mcp/example.yaml --transport streamable-http --port 0 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 300); do
  url="$(sed -n "s/^loom mcp: serving '.*' at \(http[^ ]*\)$/\1/p" "$log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "loom mcp exited before serving" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; echo "loom mcp did not start" >&2; exit 1; }
echo "conformance: testing $url"

failed=()
for scenario in "${SCENARIOS[@]}"; do
  out="$(npx --yes -p node@22 -p "@modelcontextprotocol/conformance@${CONFORMANCE_VERSION}" \
    conformance server --url "$url" --scenario "$scenario" 2>&1)" && status=0 || status=$?
  summary="$(printf '%s\n' "$out" | grep -E '^Passed: ' | tail -n 1)"
  if [ "$status" -eq 0 ]; then
    echo "  ok    $scenario  ${summary}"
  else
    echo "  FAIL  $scenario  ${summary}"
    printf '%s\n' "$out" | grep -vE 'npm warn|EBADENGINE' | tail -n 20 | sed 's/^/        /'
    failed+=("$scenario")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "conformance: ${#failed[@]} of ${#SCENARIOS[@]} scenarios failed: ${failed[*]}" >&2
  exit 1
fi
echo "conformance: all ${#SCENARIOS[@]} scenarios passed"
