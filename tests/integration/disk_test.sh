#!/usr/bin/env bash
# A full disk and per-owner quotas, against a real node whose data directory
# is a small tmpfs: uploads get 507 (never 500) below the free-space floor and
# when a write meets a full disk, reads go on, nothing acknowledged is lost,
# and once space returns the node takes writes again without a restart.
# Needs to mount a tmpfs: as root, or in a user and mount namespace.
if [[ $EUID -ne 0 && -z ${SG_IN_NAMESPACE:-} ]]; then
  SG_IN_NAMESPACE=1 exec unshare --user --map-root-user --mount bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
sign_in() { node "$ROOT/tests/e2e/sign_in.mjs" "$BASE" "$@"; }
TUS=(-H "Tus-Resumable: 1.0.0")
OCTET=(-H "Content-Type: application/offset+octet-stream")
MiB=$((1024 * 1024))

DISK="$WORK/disk"
mkdir -p "$DISK"
mount -t tmpfs -o size=$((64 * MiB)) tmpfs "$DISK" || { echo "cannot mount a tmpfs here"; exit 1; }
unmount() { umount -l "$DISK" 2>/dev/null || true; }
trap 'unmount; cleanup' EXIT
DATA_DIR="$DISK/data"

NODE_FLAGS=(--roles gateway,upload,metadata,auth --rate-limit auth=0/1 --min-free-bytes $((8 * MiB)))
start_node "${NODE_FLAGS[@]}"
AUTH=(-H "Authorization: Bearer $(sign_in)")
free_bytes() { df -B1 --output=avail "$DISK" | tail -n 1 | tr -d ' '; }

# Fills the disk up to `$1` bytes of free space.
fill_to() { head -c $(($(free_bytes) - $1)) /dev/zero >>"$DISK/filler" 2>/dev/null || true; }

echo "# an acknowledged upload survives the disk filling up"
head -c $((20 * MiB)) /dev/urandom >"$WORK/part1.bin"
head -c $((20 * MiB)) /dev/urandom >"$WORK/part2.bin"
req -X POST "$BASE/api/v1/uploads" "${TUS[@]}" "${AUTH[@]}" -H "Upload-Length: $((40 * MiB))"
check "POST -> 201" 201 "$STATUS"
UP="$BASE$(header location)"
req -X PATCH "$UP" "${TUS[@]}" "${AUTH[@]}" "${OCTET[@]}" -H "Upload-Offset: 0" --data-binary @"$WORK/part1.bin"
check "first 20 MiB -> 204" 204 "$STATUS"
fill_to $((10 * MiB))
req -X PATCH "$UP" "${TUS[@]}" "${AUTH[@]}" "${OCTET[@]}" -H "Upload-Offset: $((20 * MiB))" --data-binary @"$WORK/part2.bin"
expect_problem "PATCH that meets a full disk" 507
req -I "$UP" "${TUS[@]}" "${AUTH[@]}"
check "the acknowledged offset is intact" $((20 * MiB)) "$(header upload-offset)"

echo "# below the floor: new uploads and PATCHes are refused, reads go on"
fill_to $((4 * MiB))
req -X POST "$BASE/api/v1/uploads" "${TUS[@]}" "${AUTH[@]}" -H "Upload-Length: 100"
expect_problem "POST below the free-space floor" 507
req -X PATCH "$UP" "${TUS[@]}" "${AUTH[@]}" "${OCTET[@]}" -H "Upload-Offset: $((20 * MiB))" --data-binary "more"
expect_problem "PATCH below the free-space floor" 507
req "$BASE/api/v1/videos"
check "listing still answers" 200 "$STATUS"
req -I "$UP" "${TUS[@]}" "${AUTH[@]}"
check "HEAD still answers" 200 "$STATUS"

echo "# database writes that meet a full disk"
fill_to 0
for i in $(seq 1 400); do
  req -X POST "$BASE/api/v1/auth/challenge" -H "Content-Type: application/json" \
    --data "{\"address\":\"0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0\",\"chain_id\":1337,\"kind\":\"eip191\"}"
  [[ $STATUS == 507 ]] && break
done
expect_problem "a sign-in challenge the database cannot store" 507
sleep 3
check "the node is still running" 0 "$(kill -0 "$NODE_PID" 2>/dev/null; echo $?)"
req "$BASE/health/live"
check "it answers" 200 "$STATUS"

echo "# space returns: writes work again without a restart"
rm -f "$DISK/filler"
req -X POST "$BASE/api/v1/auth/challenge" -H "Content-Type: application/json" \
  --data '{"address":"0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0","chain_id":1337}'
check "a challenge is stored again" 200 "$STATUS"
req -X PATCH "$UP" "${TUS[@]}" "${AUTH[@]}" "${OCTET[@]}" -H "Upload-Offset: $((20 * MiB))" --data-binary @"$WORK/part2.bin"
check "the rest of the upload -> 204" 204 "$STATUS"
check "offset at the end" $((40 * MiB)) "$(header upload-offset)"
stop_node
start_node "${NODE_FLAGS[@]}"
req "$BASE/api/v1/uploads/${UP##*/}" "${AUTH[@]}"
check_contains "after a restart the upload is finished" '"state":"finished"' "$BODY"
VIDEO=$(echo "$BODY" | sed -E 's/.*"video_id":"([0-9a-f]+)".*/\1/')
cmp <(cat "$WORK/part1.bin" "$WORK/part2.bin") "$DISK/data/media/$VIDEO/source"
check "the stored source equals what was sent" 0 $?
stop_node
unmount

echo "# per-owner quota"
DATA_DIR="$WORK/quota"
start_node --roles gateway,upload,metadata,auth --rate-limit auth=0/1 --quota-bytes 5000000
AUTH=(-H "Authorization: Bearer $(sign_in)")
req "$BASE/api/v1/auth/me" "${AUTH[@]}"
check_contains "me shows the quota" '"quota_bytes":5000000' "$BODY"
check_contains "nothing used yet" '"used_bytes":0' "$BODY"
req -X POST "$BASE/api/v1/uploads" "${TUS[@]}" "${AUTH[@]}" -H "Upload-Length: 3000000"
check "3 MB within the quota -> 201" 201 "$STATUS"
FIRST="$BASE$(header location)"
req -X POST "$BASE/api/v1/uploads" "${TUS[@]}" "${AUTH[@]}" -H "Upload-Length: 3000000"
expect_problem "3 MB more past the quota" 413
check_contains "the refusal names the quota" "quota" "$BODY"
req "$BASE/api/v1/auth/me" "${AUTH[@]}"
check_contains "me shows what is used" '"used_bytes":3000000' "$BODY"
OTHER=(-H "Authorization: Bearer $(sign_in 0x6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c)")
req -X POST "$BASE/api/v1/uploads" "${TUS[@]}" "${OTHER[@]}" -H "Upload-Length: 3000000"
check "another owner has a quota of their own -> 201" 201 "$STATUS"
req -X DELETE "$FIRST" "${TUS[@]}" "${AUTH[@]}"
check "terminating the upload -> 204" 204 "$STATUS"
req -X POST "$BASE/api/v1/videos/upload?title=q" "${AUTH[@]}" --data-binary @<(head -c 4000000 /dev/urandom)
check "its bytes are free again: a 4 MB video -> 201" 201 "$STATUS"
VID=$(echo "$BODY" | sed -E 's/.*"id":"([0-9a-f]+)".*/\1/')
req -X POST "$BASE/api/v1/videos/upload?title=q2" "${AUTH[@]}" --data-binary @<(head -c 2000000 /dev/urandom)
expect_problem "a video counts against the quota too" 413
req -X DELETE "$BASE/api/v1/videos/$VID" "${AUTH[@]}"
check "deleting the video -> 204" 204 "$STATUS"
req "$BASE/api/v1/auth/me" "${AUTH[@]}"
check_contains "and frees its bytes" '"used_bytes":0' "$BODY"
stop_node
finish
