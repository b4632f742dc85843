#!/usr/bin/env bash
# The tus protocol and the video API against a real node, status by status;
# then a restart, after which videos, search and half-done uploads are intact.
source "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TUS=(-H "Tus-Resumable: 1.0.0")
OCTET=(-H "Content-Type: application/offset+octet-stream")
MAX=20000000
# Without the transcode role videos stay "queued": this test is about uploads.
ROLES=(--roles gateway,upload,metadata,auth)
start_node "${ROLES[@]}" --upload-max-size $MAX --cors-origins http://allowed.example

# Uploads and edits need a signed-in owner (SIWE through ethers).
sign_in() { node "$ROOT/tests/e2e/sign_in.mjs" "$BASE" "$@"; }
AUTH=(-H "Authorization: Bearer $(sign_in)")
OTHER=(-H "Authorization: Bearer $(sign_in 0x6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c)")
TUS_ANON=("${TUS[@]}")
TUS+=("${AUTH[@]}")

head -c 3000000 /dev/urandom >"$WORK/src.bin"
slice() { dd if="$WORK/src.bin" of="$WORK/$1" bs=1000000 skip="$2" count="$3" status=none; }
slice first.bin 0 1
slice second.bin 1 1
slice third.bin 2 1
slice rest.bin 1 2
U="$BASE/api/v1/uploads"

echo "# discovery"
req -X OPTIONS "$U"
check "OPTIONS -> 204" 204 "$STATUS"
check "Tus-Version" "1.0.0" "$(header tus-version)"
check_contains "Tus-Extension lists concatenation" "concatenation" "$(header tus-extension)"
check_contains "Tus-Extension lists checksum" "checksum" "$(header tus-extension)"
check "Tus-Max-Size" "$MAX" "$(header tus-max-size)"
check "Tus-Checksum-Algorithm" "sha1,sha256,md5" "$(header tus-checksum-algorithm)"

echo "# creation"
META="filename $(b64 clip.mp4),title $(b64 'Sunset over Lisbon'),description $(b64 'Golden hour timelapse'),tags $(b64 'travel, timelapse')"
req -X POST "$U" -H "Upload-Length: 3000000" -H "Upload-Metadata: $META"
expect_problem "POST without Tus-Resumable" 412
check "412 names Tus-Version" "1.0.0" "$(header tus-version)"
req -X POST "$U" "${TUS[@]}"
expect_problem "POST without Upload-Length" 400
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: -5"
expect_problem "POST with negative Upload-Length" 400
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 10" -H "Upload-Metadata: title not*base64"
expect_problem "POST with malformed Upload-Metadata" 400
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 10" -H "Upload-Metadata: a $(b64 x),a $(b64 y)"
expect_problem "POST with duplicate metadata keys" 400
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: $((MAX + 1))"
expect_problem "POST beyond Tus-Max-Size" 413
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 10" -H "Content-Type: text/plain" --data-binary hello
expect_problem "creation-with-upload with wrong type" 415
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 3000000" -H "Upload-Metadata: $META" -H "X-Request-Id: it-create-1"
check "POST -> 201" 201 "$STATUS"
check "X-Request-Id is echoed" "it-create-1" "$(header x-request-id)"
LOC=$(header location)
check_contains "Location under /api/v1/uploads" "/api/v1/uploads/" "$LOC"
check_contains "Upload-Expires is an HTTP date" "GMT" "$(header upload-expires)"
UP="$BASE$LOC"
UPLOAD_ID=${LOC##*/}

req -X POST "$U" "${TUS_ANON[@]}" -H "Upload-Length: 10"
expect_problem "POST without a session" 401
req -X POST "$U" "${TUS_ANON[@]}" -H "Authorization: Bearer not.a.token" -H "Upload-Length: 10"
expect_problem "POST with a forged token" 401
req -I "$UP" "${TUS_ANON[@]}" "${OTHER[@]}"
check "HEAD of someone else's upload -> 403" 403 "$STATUS"
req -X PATCH "$UP" "${TUS_ANON[@]}" "${OTHER[@]}" "${OCTET[@]}" -H "Upload-Offset: 0" --data-binary @"$WORK/first.bin"
expect_problem "PATCH of someone else's upload" 403

req -I "$UP" "${TUS[@]}"
check "HEAD -> 200" 200 "$STATUS"
check "HEAD Upload-Offset 0" 0 "$(header upload-offset)"
check "HEAD Upload-Length" 3000000 "$(header upload-length)"
check "HEAD Cache-Control" "no-store" "$(header cache-control)"
check "HEAD echoes Upload-Metadata" "$META" "$(header upload-metadata)"
req -I "$UP" "${AUTH[@]}"
check "HEAD without Tus-Resumable -> 412" 412 "$STATUS"
req -I "$U/0123456789abcdef0123456789abcdef" "${TUS[@]}"
check "HEAD unknown upload -> 404" 404 "$STATUS"
req "$U/..%2F..%2Fetc%2Fpasswd"
expect_problem "GET malformed upload id" 404

echo "# patching"
req -X PATCH "$UP" "${TUS[@]}" -H "Upload-Offset: 0" -H "Content-Type: text/plain" --data-binary @"$WORK/first.bin"
expect_problem "PATCH wrong Content-Type" 415
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 5" --data-binary @"$WORK/first.bin"
expect_problem "PATCH wrong offset" 409
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: x1" --data-binary @"$WORK/first.bin"
expect_problem "PATCH malformed offset" 400
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 0" --data-binary @"$WORK/first.bin"
check "PATCH -> 204" 204 "$STATUS"
check "PATCH moves the offset" 1000000 "$(header upload-offset)"

SHA1_WRONG=$(printf 'not the body' | sha1sum | cut -c1-40 | xxd -r -p | base64 -w0)
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" -H "Upload-Checksum: sha1 $SHA1_WRONG" --data-binary @"$WORK/second.bin"
expect_problem "PATCH checksum mismatch" 460
req -I "$UP" "${TUS[@]}"
check "offset unchanged after 460" 1000000 "$(header upload-offset)"
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" -H "Upload-Checksum: crc32 AAAA" --data-binary @"$WORK/second.bin"
expect_problem "PATCH unsupported checksum algorithm" 400
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" -H "Upload-Checksum: sha1" --data-binary @"$WORK/second.bin"
expect_problem "PATCH malformed Upload-Checksum" 400
head -c 2500000 /dev/urandom >"$WORK/too-long.bin"
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" --data-binary @"$WORK/too-long.bin"
expect_problem "PATCH past Upload-Length" 413
req -I "$UP" "${TUS[@]}"
check "offset unchanged after 413" 1000000 "$(header upload-offset)"

# Two PATCHes at once: the slow one holds the upload, the other gets 409.
curl -s -o /dev/null -w '%{http_code}' --limit-rate 400K -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" \
  -H "Upload-Offset: 1000000" --data-binary @"$WORK/second.bin" >"$WORK/slow.status" &
SLOW=$!
sleep 0.8
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" --data-binary @"$WORK/second.bin"
expect_problem "concurrent PATCH" 409
wait $SLOW
check "the PATCH holding the upload succeeds" 204 "$(cat "$WORK/slow.status")"
req -I "$UP" "${TUS[@]}"
check "offset after both PATCHes" 2000000 "$(header upload-offset)"
check "the upload's file holds exactly the acknowledged bytes" 2000000 "$(stat -c %s "$WORK/data/uploads/$UPLOAD_ID.part")"

echo "# half-done upload for the restart check"
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 3000000" -H "Upload-Metadata: filename $(b64 later.bin)"
HALF="$BASE$(header location)"
HALF_PATH=$(header location)
req -X PATCH "$HALF" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 0" --data-binary @"$WORK/first.bin"
check "half-done upload at 1000000" 1000000 "$(header upload-offset)"

echo "# finishing"
SHA256=$(sha256sum "$WORK/third.bin" | cut -c1-64 | xxd -r -p | base64 -w0)
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 2000000" -H "Upload-Checksum: sha256 $SHA256" --data-binary @"$WORK/third.bin"
check "final PATCH with sha256 -> 204" 204 "$STATUS"
check "final offset" 3000000 "$(header upload-offset)"
req "$UP" "${AUTH[@]}"
check "GET upload -> 200" 200 "$STATUS"
VIDEO_ID=$(echo "$BODY" | sed -E 's/.*"video_id":"([0-9a-f]+)".*/\1/')
check_contains "GET upload names the video" "\"offset\":3000000" "$BODY"
check "stored source equals the upload" "$(sha256sum <"$WORK/src.bin")" "$(sha256sum <"$WORK/data/media/$VIDEO_ID/source")"
req "$BASE/api/v1/videos/$VIDEO_ID"
check "GET video -> 200" 200 "$STATUS"
check_contains "video is queued" '"status":"queued"' "$BODY"
check_contains "video has its title" '"title":"Sunset over Lisbon"' "$BODY"
check_contains "video has its tags" '"tags":["travel","timelapse"]' "$BODY"
req -X PATCH "$UP" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 3000000" --data-binary ""
check "PATCH after completion -> 409" 409 "$STATUS"

echo "# concatenation"
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 1000000" -H "Upload-Concat: partial"
P1=$(header location)
req -X PATCH "$BASE$P1" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 0" --data-binary @"$WORK/first.bin"
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 1000000" -H "Upload-Concat: partial" "${OCTET[@]}" --data-binary @"$WORK/second.bin"
P2=$(header location)
check "partial with creation-with-upload" 1000000 "$(header upload-offset)"
req -X POST "$U" "${TUS[@]}" -H "Upload-Concat: final;$P1 /api/v1/uploads/0123456789abcdef0123456789abcdef" -H "Upload-Metadata: title $(b64 'Joined clip')"
expect_problem "final naming a missing part" 400
req -X POST "$U" "${TUS[@]}" -H "Upload-Concat: final;$BASE$P1 $P2" -H "Upload-Metadata: title $(b64 'Joined clip')"
check "final upload -> 201" 201 "$STATUS"
FINAL="$BASE$(header location)"
req -I "$FINAL" "${TUS[@]}"
check "final upload complete" 2000000 "$(header upload-offset)"
check_contains "final upload names its parts" "final;$P1 $P2" "$(header upload-concat)"
req -X PATCH "$FINAL" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 0" --data-binary "x"
expect_problem "PATCH of a final upload" 403
req "$FINAL" "${AUTH[@]}"
JOINED=$(echo "$BODY" | sed -E 's/.*"video_id":"([0-9a-f]+)".*/\1/')
check "joined source equals both parts" "$(head -c 2000000 "$WORK/src.bin" | sha256sum)" "$(sha256sum <"$WORK/data/media/$JOINED/source")"

echo "# termination"
req -X POST "$U" "${TUS[@]}" -H "Upload-Length: 100"
DOOMED="$BASE$(header location)"
req -X DELETE "$DOOMED" "${TUS[@]}"
check "DELETE upload -> 204" 204 "$STATUS"
req -I "$DOOMED" "${TUS[@]}"
check "HEAD after DELETE -> 404" 404 "$STATUS"

echo "# simple upload and search"
req -X POST "$BASE/api/v1/videos/upload?title=Cats%20in%20Lisbon" --data-binary @"$WORK/first.bin"
expect_problem "simple upload without a session" 401
req -X POST "$BASE/api/v1/videos/upload?title=Cats%20in%20Lisbon&tags=cats,travel" "${AUTH[@]}" --data-binary @"$WORK/first.bin"
check "simple upload -> 201" 201 "$STATUS"
CATS=$(echo "$BODY" | sed -E 's/.*"id":"([0-9a-f]+)".*/\1/')
req -X POST "$BASE/api/v1/videos/upload?title=Dogs%20at%20the%20beach&description=sunny" "${AUTH[@]}" --data-binary @"$WORK/second.bin"
DOGS=$(echo "$BODY" | sed -E 's/.*"id":"([0-9a-f]+)".*/\1/')
req -X POST "$BASE/api/v1/videos/upload" "${AUTH[@]}" -H "Transfer-Encoding: chunked" --data-binary @"$WORK/second.bin"
expect_problem "simple upload without Content-Length" 411
req "$BASE/api/v1/videos?q=LISBON"
check_contains "search is case-insensitive" "$VIDEO_ID" "$BODY"
check_contains "search finds both Lisbon videos" "$CATS" "$BODY"
req "$BASE/api/v1/videos?q=lisbon%20ca"
check_contains "last term is a prefix" "$CATS" "$BODY"
if [[ "$BODY" == *"$VIDEO_ID"* ]]; then check "AND of terms excludes the sunset" no yes; else check "AND of terms excludes the sunset" 1 1; fi
req "$BASE/api/v1/videos?q=sun"
check_contains "prefix-only finds the sunset" "$VIDEO_ID" "$BODY"
check_contains "prefix-only finds the sunny description" "$DOGS" "$BODY"
req "$BASE/api/v1/videos?tag=travel"
check_contains "tag filter" "$CATS" "$BODY"
req "$BASE/api/v1/videos?status=ready"
check "status filter" '{"items":[],"next_cursor":null}' "$BODY"
req "$BASE/api/v1/videos?status=bogus"
expect_problem "unknown status" 400
req "$BASE/api/v1/videos?limit=0"
expect_problem "limit 0" 400
req "$BASE/api/v1/videos?cursor=zzz"
expect_problem "malformed cursor" 400
# Newest first, one per page, cursors walk all four videos exactly once.
SEEN=""
CURSOR=""
for _ in 1 2 3 4 5; do
  req "$BASE/api/v1/videos?limit=1${CURSOR:+&cursor=$CURSOR}"
  SEEN+="$(echo "$BODY" | sed -E 's/.*"items":\[\{.*"id":"([0-9a-f]{16})".*/\1/') "
  CURSOR=$(echo "$BODY" | sed -nE 's/.*"next_cursor":"([0-9a-f]+)".*/\1/p')
  [[ -z $CURSOR ]] && break
done
check "pagination walks newest first" "$DOGS $CATS $JOINED $VIDEO_ID " "$SEEN"

echo "# video edits"
V="$BASE/api/v1/videos/$CATS"
req -X PATCH "$V" -H "Content-Type: application/json" -d '{"title": "x"}'
expect_problem "PATCH video without a session" 401
req -X PATCH "$V" "${OTHER[@]}" -H "Content-Type: application/json" -d '{"title": "x"}'
expect_problem "PATCH someone else's video" 403
req -X DELETE "$V" "${OTHER[@]}"
expect_problem "DELETE someone else's video" 403
req "$BASE/api/v1/videos/$CATS"
check_contains "the video knows its owner" '"owner":"0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0"' "$BODY"
req "$BASE/api/v1/videos?owner=0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0&limit=100"
check_contains "owner filter" "$CATS" "$BODY"
req -X PATCH "$V" "${AUTH[@]}" -H "Content-Type: application/json" -d '{"title": '
expect_problem "PATCH video malformed JSON" 400
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: application/json" -d '{"title": 42}'
expect_problem "PATCH video wrong type" 400
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: application/json" -d '{"status": "ready"}'
expect_problem "PATCH video read-only field" 400
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: text/plain" -d '{"title": "x"}'
expect_problem "PATCH video wrong content type" 415
req -X PATCH "${AUTH[@]}" "$BASE/api/v1/videos/0000000000000000" -H "Content-Type: application/json" -d '{"title": "x"}'
expect_problem "PATCH unknown video" 404
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: application/json" -d '{"title": "Kittens in Porto", "tags": ["kittens"]}'
check "PATCH video -> 200" 200 "$STATUS"
req "$BASE/api/v1/videos?q=porto"
check_contains "search follows the new title" "$CATS" "$BODY"
req "$BASE/api/v1/videos?q=cats"
if [[ "$BODY" == *"$CATS"* ]]; then check "old words leave the index" gone present; else check "old words leave the index" 1 1; fi
req "$BASE/api/v1/videos/not-an-id"
expect_problem "GET malformed video id" 404

echo "# limits"
req "$BASE/health/live" -H "X-A: $(head -c 7000 /dev/zero | tr '\0' a)" -H "X-B: $(head -c 7000 /dev/zero | tr '\0' b)" -H "X-C: $(head -c 7000 /dev/zero | tr '\0' c)"
expect_problem "oversized headers" 431
head -c 1100000 /dev/zero >"$WORK/big.json"
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: application/json" --data-binary @"$WORK/big.json"
expect_problem "oversized JSON body" 413
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: application/json" -H "Transfer-Encoding: chunked" --data-binary @"$WORK/big.json"
expect_problem "oversized chunked JSON body (cut while read)" 413
req -X PATCH "${AUTH[@]}" "$V" -H "Content-Type: application/json" -H "Transfer-Encoding: chunked" --data-binary '{"description":"sent chunked"}'
check "small chunked JSON body -> 200" 200 "$STATUS"
check_contains "small chunked JSON body applied" "sent chunked" "$BODY"

echo "# CORS"
req -X OPTIONS "$U" -H "Origin: http://allowed.example" -H "Access-Control-Request-Method: PATCH"
check "preflight from an allowed origin -> 204" 204 "$STATUS"
check "preflight allows the origin" "http://allowed.example" "$(header access-control-allow-origin)"
check_contains "preflight allows tus headers" "Upload-Offset" "$(header access-control-allow-headers)"
req -X OPTIONS "$U" -H "Origin: http://evil.example" -H "Access-Control-Request-Method: PATCH"
expect_problem "preflight from another origin" 403

echo "# metrics"
req "$BASE/metrics"
check_contains "RED counter by route" 'streamgate_http_requests_total{method="PATCH",route="/api/v1/uploads/{id}",status="204"}' "$BODY"
check_contains "latency histogram" 'streamgate_http_request_duration_seconds_bucket{method="GET",route="/api/v1/videos",le="+Inf"}' "$BODY"
check_contains "in-flight gauge" "streamgate_http_requests_in_flight" "$BODY"
check_contains "upload counters" "streamgate_uploads_completed_total 4" "$BODY"
check_contains "checksum failures counted" "streamgate_upload_checksum_failures_total 1" "$BODY"

echo "# deletion"
req -X DELETE "${AUTH[@]}" "$BASE/api/v1/videos/$DOGS"
check "DELETE video -> 204" 204 "$STATUS"
check "media directory removed" "no" "$([[ -e $WORK/data/media/$DOGS ]] && echo yes || echo no)"
req "$BASE/api/v1/videos?q=dogs"
check "deleted video leaves search" '{"items":[],"next_cursor":null}' "$BODY"
req -X DELETE "${AUTH[@]}" "$BASE/api/v1/videos/$DOGS"
expect_problem "DELETE deleted video" 404

echo "# restart"
stop_node
start_node "${ROLES[@]}" --upload-max-size $MAX
req "$BASE/api/v1/videos/$VIDEO_ID"
check_contains "video survives a restart" '"title":"Sunset over Lisbon"' "$BODY"
req "$BASE/api/v1/videos?q=porto"
check_contains "search survives a restart" "$CATS" "$BODY"
req -I "$BASE$HALF_PATH" "${TUS[@]}"
check "half-done upload survives a restart" 1000000 "$(header upload-offset)"
req -X PATCH "$BASE$HALF_PATH" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" --data-binary @"$WORK/rest.bin"
check "half-done upload completes after restart" 3000000 "$(header upload-offset)"
stop_node

echo "# expiry"
start_node "${ROLES[@]}" --upload-expiry 1 --upload-sweep-interval 1
AUTH=(-H "Authorization: Bearer $(sign_in)")
TUS=("${TUS_ANON[@]}" "${AUTH[@]}")
req -X POST "$BASE/api/v1/uploads" "${TUS[@]}" -H "Upload-Length: 3000000" "${OCTET[@]}" --data-binary @"$WORK/first.bin"
EXPIRING="$BASE$(header location)"
EXPIRING_ID=$(header location); EXPIRING_ID=${EXPIRING_ID##*/}
sleep 2.5
req -I "$EXPIRING" "${TUS[@]}"
check "expired upload -> 410" 410 "$STATUS"
req -X PATCH "$EXPIRING" "${TUS[@]}" "${OCTET[@]}" -H "Upload-Offset: 1000000" --data-binary @"$WORK/second.bin"
expect_problem "PATCH of an expired upload" 410
check "expired bytes are reclaimed" "no" "$([[ -e $WORK/data/uploads/$EXPIRING_ID.part ]] && echo yes || echo no)"
stop_node

echo "# rate limits"
start_node "${ROLES[@]}" --rate-limit api=0.5/3
AUTH=(-H "Authorization: Bearer $(sign_in)")
for i in 1 2 3; do req "$BASE/api/v1/videos"; done
check "within the burst -> 200" 200 "$STATUS"
check "RateLimit-Limit" 3 "$(header ratelimit-limit)"
check "RateLimit-Remaining" 0 "$(header ratelimit-remaining)"
req "$BASE/api/v1/videos"
expect_problem "past the burst" 429
check "Retry-After" 2 "$(header retry-after)"
# Another address on the loopback is another client...
req --interface 127.0.0.2 "$BASE/api/v1/videos"
check "another IP has its own bucket" 200 "$STATUS"
# ...but one wallet shares its bucket across addresses.
for i in 1 2 3; do req --interface 127.0.0.3 "$BASE/api/v1/videos" "${AUTH[@]}"; done
req --interface 127.0.0.4 "$BASE/api/v1/videos" "${AUTH[@]}"
expect_problem "one wallet from a fresh address" 429
req "$BASE/health/live"
check "health is never limited" 200 "$STATUS"
stop_node

finish
