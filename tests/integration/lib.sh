# Helpers for integration tests: a real streamgate node on a free loopback
# port with a temporary data directory, driven with curl.
set -euo pipefail

SG_BIN=${STREAMGATE_BIN:?set STREAMGATE_BIN to the streamgate binary}
WORK=$(mktemp -d /tmp/sg-it.XXXXXX)
NODE_PID=
PASSED=0
FAILED=0

cleanup() {
  [[ -n $NODE_PID ]] && kill -9 "$NODE_PID" 2>/dev/null || true
  if ((FAILED > 0)); then
    echo "--- node log (last 40 lines) ---"
    tail -n 40 "$WORK/node.log" 2>/dev/null || true
    echo "--- lines of the log that are not JSON (aborts, sanitizers) ---"
    grep -v '^{' "$WORK/node.log" 2>/dev/null | head -n 40 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_node [extra flags...]: starts a node and waits until it is ready.
start_node() {
  local before
  before=$(grep -c '"msg":"listening"' "$WORK/node.log" 2>/dev/null || true)
  "$SG_BIN" node --data-dir "${DATA_DIR:-$WORK/data}" --http-port 0 "$@" >>"$WORK/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 200); do
    local n
    n=$(grep -c '"msg":"listening"' "$WORK/node.log" 2>/dev/null || true)
    if ((n > before)); then
      PORT=$(grep '"msg":"listening"' "$WORK/node.log" | tail -n 1 | sed -E 's/.*"port":([0-9]+).*/\1/')
      BASE="http://127.0.0.1:$PORT"
      if curl -sf "$BASE/health/ready" >/dev/null; then return 0; fi
    fi
    sleep 0.05
  done
  echo "node did not become ready"; exit 1
}

# stop_node: SIGTERM and wait; the exit status must be 0.
stop_node() {
  kill -TERM "$NODE_PID"
  local rc=0
  wait "$NODE_PID" || rc=$?
  NODE_PID=
  check "node exits 0 on SIGTERM" 0 "$rc"
  # CAF prints a message an actor does not handle on stdout.
  check "no actor got a message it does not handle" 0 "$(grep -c 'unexpected message' "$WORK/node.log" || true)"
}

kill_node() {
  kill -9 "$NODE_PID"
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=
}

check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    PASSED=$((PASSED + 1)); echo "ok   - $1"
  else
    FAILED=$((FAILED + 1)); echo "FAIL - $1: expected [$2], got [$3]"
  fi
}

check_contains() {  # check_contains NAME NEEDLE HAYSTACK
  if [[ "$3" == *"$2"* ]]; then
    PASSED=$((PASSED + 1)); echo "ok   - $1"
  else
    FAILED=$((FAILED + 1)); echo "FAIL - $1: [$2] not in [${3:0:400}]"
  fi
}

# req ARGS...: runs curl; sets STATUS, BODY, HEADERS (lowercased names).
req() {
  local out
  out=$(curl -s -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$@") || true
  STATUS=$out
  BODY=$(cat "$WORK/b" 2>/dev/null || true)
  HEADERS=$(tr -d '\r' <"$WORK/h" | sed -E 's/^([^:]+):/\L\1:/')
}

header() {  # header NAME -> value from the last req
  echo "$HEADERS" | grep -i "^$1:" | tail -n 1 | cut -d' ' -f2-
}

# expect_problem NAME STATUS: the last answer had STATUS and a problem+json body.
expect_problem() {
  check "$1 -> $2" "$2" "$STATUS"
  check "$1 is problem+json" "application/problem+json" "$(header content-type)"
  check_contains "$1 names its status" "\"status\":$2" "$BODY"
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

b64() { printf '%s' "$1" | base64 -w0; }
