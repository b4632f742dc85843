#!/usr/bin/env bash
# make bench [BENCH=name]: runs the benchmarks (all by default); each prints
# its figures next to the anchor it ran against in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STREAMGATE_BIN:?}"
export STREAMGATE_BIN=$(realpath "$STREAMGATE_BIN")
export SG_TRANSCODE_BENCH=$(dirname "$STREAMGATE_BIN")/bench/sg_transcode_bench
which=${1:-all}
run() { [[ $which == all || $which == "$1" ]]; }
if run uploads; then node bench/uploads.mjs; fi
if run transcode; then bash bench/transcode.sh; fi
if run segments; then bash bench/segments.sh; fi
if run siwe; then "$(dirname "$STREAMGATE_BIN")/bench/sg_siwe_bench"; fi
if run cluster; then node bench/cluster.mjs; fi
if run cluster_flap; then node bench/cluster_flap.mjs; fi
if run s3_segments; then bash bench/s3_segments.sh; fi
if run edge; then bash bench/edge.sh; fi
