#!/usr/bin/env bash
# Installs what StreamGate needs on Debian 12, only when something is missing.
#   install-deps.sh build   compilers, libraries, and the web app's vendor files
#   install-deps.sh test    + the tools and npm clients the tests drive
#   install-deps.sh bench   + the load tools and anchors of the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(g++ cmake make pkg-config ccache libcaf-dev libavformat-dev libavcodec-dev
  libavutil-dev libswscale-dev libswresample-dev libavfilter-dev librocksdb-dev
  libcpp-httplib-dev nlohmann-json3-dev libboost-test-dev libsecp256k1-dev libcli11-dev
  libssl-dev libjwt-dev libcurl4-openssl-dev libedit-dev zlib1g-dev nodejs npm)
test_pkgs=(curl ffmpeg xxd chromium clang libclang-rt-14-dev etcd-server)
bench_pkgs=(wrk hey nginx-light bc)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  # node and npm may come from elsewhere than Debian (e.g. a newer Node).
  if [[ $p == nodejs && -x "$(command -v node)" ]] || [[ $p == npm && -x "$(command -v npm)" ]]; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages pinned by the lock file: the web app's vendor files (hls.js,
# tus-js-client: "dependencies", built into the binary) for every mode, and the
# clients the tests drive ("devDependencies") for test and bench.
mode=$([[ ${1:-build} == build ]] && echo build || echo test)
stamp=node_modules/.streamgate-$mode
if [[ ! -f $stamp || package-lock.json -nt $stamp || package.json -nt $stamp ]]; then
  if [[ $mode == build && -f node_modules/.streamgate-test && ! package-lock.json -nt node_modules/.streamgate-test ]]; then
    :  # a test install holds the vendor files too
  else
    npm ci --no-audit --no-fund $([[ $mode == build ]] && echo --omit=dev)
  fi
  touch "$stamp"
fi
