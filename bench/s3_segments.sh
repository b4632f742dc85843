#!/usr/bin/env bash
# Segments of media kept in S3 (s3rver on loopback) against the same
# segments on the node's own disk, both through our gateway with the same
# settings: wrk with 64 connections on one 1 MiB segment once the S3 node
# holds its local copy (warm; target >= 0.9x the local node's requests/s),
# then the first request for each of N segments the S3 node has never served
# (cold: fetched from S3 on the request path) against the same request to
# the local node.
set -euo pipefail
: "${STREAMGATE_BIN:?}"
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_SECONDS:-8}
COLD=${BENCH_COLD:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sg-bench-s3.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
vid=0123456789abcdef
secret=bench-secret-0123456789abcdef0123456789
exp=$(($(date +%s) + 3600))
mac=$(printf 'playback.v1|%s|%s|' "$vid" "$exp" | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')
token="$exp.${mac:0:32}"

s3_port=$(free_port)
mkdir -p "$work/s3"
"$here/node_modules/.bin/s3rver" -d "$work/s3" -a 127.0.0.1 -p "$s3_port" --silent --configure-bucket media >/dev/null 2>&1 &
pids+=($!)
mkdir -p "$work/local/media/$vid/720p"
for i in $(seq 0 "$COLD"); do
  name=$(printf 'seg_%05d.m4s' "$i")
  head -c $((1024 * 1024)) /dev/urandom >"$work/local/media/$vid/720p/$name"
done
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$s3_port/media" && break; sleep 0.1; done
for f in "$work/local/media/$vid/720p/"*; do
  curl -sf -X PUT --data-binary @"$f" "http://127.0.0.1:$s3_port/media/videos/$vid/720p/$(basename "$f")" >/dev/null
done

start_node() {  # data dir, port, extra flags...
  local dir=$1 port=$2; shift 2
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "$STREAMGATE_BIN" node --data-dir "$dir" \
    --http-port "$port" --secret "$secret" --http-threads 64 --http-keepalive-max 100000 --log-level warn "$@" \
    2>>"$work/node.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && return; sleep 0.1; done
  echo "node on $port did not start:"; cat "$work/node.log"; exit 1
}
local_port=$(free_port); s3_node_port=$(free_port)
start_node "$work/local" "$local_port"
start_node "$work/s3node" "$s3_node_port" --media "s3://media?endpoint=http://127.0.0.1:$s3_port"

url() { echo "http://127.0.0.1:$1/v/$vid/$token/720p/$2"; }
ms() { curl -s -o /dev/null -w '%{time_total}\n' "$1" | awk '{printf "%.2f\n", $1 * 1000}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Cold: each segment's first request to the S3 node, against the local node.
cold=(); local_ms=()
for i in $(seq 1 "$COLD"); do
  name=$(printf 'seg_%05d.m4s' "$i")
  cold+=("$(ms "$(url "$s3_node_port" "$name")")")
  local_ms+=("$(ms "$(url "$local_port" "$name")")")
done
cmp -s <(curl -s "$(url "$s3_node_port" seg_00001.m4s)") "$work/local/media/$vid/720p/seg_00001.m4s" ||
  { echo "the S3 node served different bytes"; exit 1; }

rps() { wrk -t2 -c64 -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
warm_url=$(url "$s3_node_port" seg_00000.m4s)
curl -s -o /dev/null "$warm_url"  # its local copy
s3_runs=(); local_runs=()
for _ in $(seq "$ROUNDS"); do
  local_runs+=("$(rps "$(url "$local_port" seg_00000.m4s)")")
  s3_runs+=("$(rps "$warm_url")")
done
s3_med=$(printf '%s\n' "${s3_runs[@]}" | median)
local_med=$(printf '%s\n' "${local_runs[@]}" | median)
echo "segments from S3 (s3rver), 1 MiB, wrk -c64 ${DURATION}s x ${ROUNDS}:"
echo "  warm: S3 node median $s3_med req/s (${s3_runs[*]}), local-media node $local_med req/s (${local_runs[*]});" \
     "ratio $(awk -v a="$s3_med" -v b="$local_med" 'BEGIN {printf "%.2f", a / b}') (target >= 0.9)"
echo "  cold first request: median $(printf '%s\n' "${cold[@]}" | median) ms over $COLD segments" \
     "(local node, same segment: median $(printf '%s\n' "${local_ms[@]}" | median) ms)"
