#!/usr/bin/env bash
# make bench [BENCH=name]: runs the benchmarks (all by default); each prints
# its figures next to the anchor it ran against in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STREAMGATE_BIN:?}"
export STREAMGATE_BIN=$(realpath "$STREAMGATE_BIN")
which=${1:-all}
if [[ $which == all || $which == uploads ]]; then
  node bench/uploads.mjs
fi
