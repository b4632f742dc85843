#!/usr/bin/env bash
# Segment serving: wrk with 64 connections GETting one 1 MiB segment through
# our gateway (token checked on every request) and from nginx-light serving
# the same file (sendfile, a config written here), alternating.
# Target: >= 0.7x nginx's requests/s, and the node's RSS flat.
set -euo pipefail
: "${STREAMGATE_BIN:?}"
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_SECONDS:-8}
work=$(mktemp -d /tmp/sg-bench-seg.XXXXXX)
node_pid=; nginx_pid=
cleanup() {
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null || true
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
vid=0123456789abcdef
mkdir -p "$work/data/media/$vid/720p"
head -c $((1024 * 1024)) /dev/urandom >"$work/data/media/$vid/720p/seg_00001.m4s"
chmod -R a+rX "$work"  # nginx workers run unprivileged

secret=bench-secret-0123456789abcdef0123456789
exp=$(($(date +%s) + 3600))
sign() { printf 'playback.v1|%s|%s|%s' "$vid" "$exp" "$1" | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}'; }
mac=$(sign "")
token="$exp.${mac:0:32}"
# A gated video's token names its viewer and is checked the same way, by HMAC.
viewer=ffcf8fdee72ac11b5c542428b35eef5769c409f0
gmac=$(sign "$viewer")
gated_token="$exp.$viewer.${gmac:0:32}"
head -c 4096 /dev/urandom >"$work/data/media/$vid/720p/init.mp4"

our_port=$(free_port)
"$STREAMGATE_BIN" node --data-dir "$work/data" --http-port "$our_port" --secret "$secret" \
  --log-level warn 2>"$work/node.log" &
node_pid=$!

ngx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { video/iso.segment m4s; }
  server {
    listen 127.0.0.1:$ngx_port;
    root $work/data/media;
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!

ours_url="http://127.0.0.1:$our_port/v/$vid/$token/720p/seg_00001.m4s"
ngx_url="http://127.0.0.1:$ngx_port/$vid/720p/seg_00001.m4s"
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "$ours_url" && curl -sf -o /dev/null "$ngx_url" && break
  sleep 0.05
done
cmp <(curl -s "$ours_url") <(curl -s "$ngx_url") || { curl -s "$ours_url" | head -c 300; echo; curl -s -I "$ngx_url"; exit 1; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$node_pid/status"; }
rps() { wrk -t2 -c64 -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rss_start=$(rss)
ours=(); theirs=(); rss_after=()
for ((i = 0; i < ROUNDS; i++)); do
  ours+=("$(rps "$ours_url")"); rss_after+=("$(rss)")
  theirs+=("$(rps "$ngx_url")")
done
o=$(median "${ours[@]}"); n=$(median "${theirs[@]}")
printf 'segments: 1 MiB segment, wrk -t2 -c64 -d%ss, %d rounds (median requests/s)\n' "$DURATION" "$ROUNDS"
printf '  nginx-light (anchor) %s   runs: %s\n' "$n" "${theirs[*]}"
printf '  streamgate gateway   %s   runs: %s\n' "$o" "${ours[*]}"
printf '  ratio %.3f   (target >= 0.7)\n' "$(echo "$o / $n" | bc -l)"
printf '  node RSS: %d KiB at start, after each round: %s KiB\n' "$rss_start" "${rss_after[*]}"

# Token overhead where it shows most: a 4 KiB init segment, gated vs ungated.
small="http://127.0.0.1:$our_port/v/$vid/$token/720p/init.mp4"
gated="http://127.0.0.1:$our_port/v/$vid/$gated_token/720p/init.mp4"
curl -sf -o /dev/null "$gated"
plain=(); viewer_bound=()
for ((i = 0; i < ROUNDS; i++)); do  # alternating which goes first
  if ((i % 2 == 0)); then
    plain+=("$(rps "$small")"); viewer_bound+=("$(rps "$gated")")
  else
    viewer_bound+=("$(rps "$gated")"); plain+=("$(rps "$small")")
  fi
done
p=$(median "${plain[@]}"); g=$(median "${viewer_bound[@]}")
printf 'gated segments: 4 KiB init segment, wrk -t2 -c64 -d%ss, %d rounds (median requests/s)\n' "$DURATION" "$ROUNDS"
printf '  ungated token (anchor)  %s   runs: %s\n' "$p" "${plain[*]}"
printf '  gated, viewer-bound     %s   runs: %s\n' "$g" "${viewer_bound[*]}"
printf '  overhead %.1f%%   (target <= 5%%)\n' "$(echo "(1 - $g / $p) * 100" | bc -l)"
