#!/usr/bin/env bash
# Transcode speed: our in-process pipeline vs the ffmpeg CLI producing the same
# 3-rung CMAF ladder (1080/720/360, x264 veryfast, same bitrates) in one
# command, alternating, median wall time of each. Target ours/CLI <= 0.9.
set -euo pipefail
OURS=${SG_TRANSCODE_BENCH:?}
RUNS=${BENCH_ROUNDS:-3}
work=$(mktemp -d /tmp/sg-bench-tc.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The source of measured-libraries §11: 10 s 1080p30 testsrc2 + sine, x264 CRF 18.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=10 \
  -f lavfi -i sine=frequency=440:duration=10 -c:v libx264 -preset veryfast -crf 18 \
  -pix_fmt yuv420p -c:a aac "$work/src1080.mp4"

# Our ladder's bitrates (bits per pixel), given to the CLI too.
b1080=6220800; b720=3456000; b360=1036800
cli() {
  rm -rf "$work/cli" && mkdir -p "$work/cli"
  ffmpeg -hide_banner -loglevel error -y -i "$work/src1080.mp4" \
    -filter_complex "[0:v]split=3[a][b][c];[a]scale=1920:1080[v0];[b]scale=1280:720[v1];[c]scale=640:360[v2]" \
    -map "[v0]" -map "[v1]" -map "[v2]" -map 0:a -map 0:a -map 0:a \
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -g 120 -keyint_min 120 -sc_threshold 0 \
    -b:v:0 $b1080 -maxrate:v:0 $((b1080 * 107 / 100)) -bufsize:v:0 $((b1080 * 3 / 2)) \
    -b:v:1 $b720 -maxrate:v:1 $((b720 * 107 / 100)) -bufsize:v:1 $((b720 * 3 / 2)) \
    -b:v:2 $b360 -maxrate:v:2 $((b360 * 107 / 100)) -bufsize:v:2 $((b360 * 3 / 2)) \
    -c:a aac -b:a 128k -ac 2 \
    -f hls -hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4 -hls_flags independent_segments \
    -hls_segment_filename "$work/cli/v%v/seg_%03d.m4s" -master_pl_name master.m3u8 \
    -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2" "$work/cli/v%v/index.m3u8"
}
ours() {
  rm -rf "$work/ours"
  "$OURS" "$work/src1080.mp4" "$work/ours" veryfast 1080,720,360 >/dev/null
}
timed() {
  local t0 t1
  t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cli_times=(); our_times=()
for ((i = 0; i < RUNS; i++)); do
  cli_times+=("$(timed cli)")
  our_times+=("$(timed ours)")
done
c=$(median "${cli_times[@]}"); o=$(median "${our_times[@]}")
printf 'transcode: 10 s 1080p30 -> 1080/720/360 CMAF, x264 veryfast, %d runs each (median wall s)\n' "$RUNS"
printf '  ffmpeg CLI (anchor)  %.2f s  (%.2fx realtime)   runs: %s\n' "$c" "$(echo "10 / $c" | bc -l)" "${cli_times[*]}"
printf '  streamgate pipeline  %.2f s  (%.2fx realtime)   runs: %s\n' "$o" "$(echo "10 / $o" | bc -l)" "${our_times[*]}"
printf '  ratio ours/CLI %.3f   (target <= 0.9)\n' "$(echo "$o / $c" | bc -l)"
