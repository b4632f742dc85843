#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (address and undefined-behaviour
# sanitizers on) and runs each briefly. FUZZ_SECONDS sets how long.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?build directory}
seconds=${FUZZ_SECONDS:-15}
mkdir -p "$out"
flags=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root" $(pkg-config --cflags nlohmann_json libsecp256k1 2>/dev/null || true))
auth=("$root/actors/auth/siwe.cpp" "$root/actors/auth/eth.cpp" "$root/actors/auth/keccak.cpp"
      "$root/runtime/clock.cpp")
build() {  # build NAME SOURCES... LIBS...: rebuilt when any source is newer
  local name=$1; shift
  local newest=0 f
  for f in "$@" "$root"/runtime/*.hpp "$root"/gateway/*.hpp; do
    [[ -f $f ]] && newest=$(( $(stat -c %Y "$f") > newest ? $(stat -c %Y "$f") : newest ))
  done
  [[ -f "$out/$name" && $(stat -c %Y "$out/$name") -ge $newest ]] && return 0
  clang++ "${flags[@]}" "$@" -o "$out/$name"
}
build siwe_fuzz "$root/tests/fuzz/siwe_fuzz.cpp" "${auth[@]}" -lsecp256k1
build token_fuzz "$root/tests/fuzz/token_fuzz.cpp" "$root/actors/auth/session_tokens.cpp" \
  "$root/actors/auth/solana.cpp" "$root/actors/nft/abi.cpp" "$root/gateway/playback_token.cpp" \
  "$root/gateway/tus_headers.cpp" "$root/runtime/secret.cpp" "$root/runtime/ids.cpp" \
  "$root/runtime/text.cpp" "$root/runtime/json.cpp" \
  -ljwt -lcrypto
build http_fuzz "$root/tests/fuzz/http_fuzz.cpp" "$root/gateway/byte_ranges.cpp" \
  "$root/gateway/route_table.cpp" "$root/gateway/tus_headers.cpp" "$root/runtime/text.cpp" \
  "$root/runtime/json.cpp" "$root/runtime/ids.cpp" -lcrypto
for target in siwe_fuzz token_fuzz http_fuzz; do
  mkdir -p "$out/corpus-$target"
  if ! "$out/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$out/" "$out/corpus-$target" "$root/tests/fuzz/seeds" >"$out/$target.log" 2>&1; then
    tail -n 60 "$out/$target.log"
    echo "$target failed; the input is in $out (crash-*)"
    exit 1
  fi
  echo "$target: $(grep -m1 'stat::number_of_executed_units' "$out/$target.log")"
done
