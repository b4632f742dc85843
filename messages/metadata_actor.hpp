#pragma once
// metadata_store owns RocksDB: everything persistent goes through it. Its
// interface is split by client, so each one holds a handle to just what it
// needs; one actor serves all five (one writer keeps multi-record writes,
// such as an upload becoming a video and its job, atomic).
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/analytics.hpp"
#include "messages/atoms.hpp"
#include "messages/catalogue.hpp"
#include "messages/job.hpp"
#include "messages/principal.hpp"
#include "messages/upload.hpp"
#include "messages/video.hpp"

namespace sg {

/// Videos and their search index: the gateway's and the transcoder's.
using video_store_actor = caf::typed_actor<
  // Readiness probe: answers once the database is open.
  caf::replies_to<caf::ping_atom>::with<caf::pong_atom>,
  caf::replies_to<caf::get_atom, video_atom, std::string>::with<video>,
  caf::replies_to<query_atom, video_query>::with<video_page>,
  // An edit by the owner (errc::forbidden for anyone else).
  caf::replies_to<caf::update_atom, principal, std::string, video_patch>::with<video>,
  // Removes the record, its index entries and its media directory;
  // the owner only.
  caf::replies_to<caf::delete_atom, principal, std::string>::with<caf::ok_atom>,
  // The bytes an owner's quota counts (active uploads and video sources).
  caf::replies_to<caf::get_atom, usage_atom, std::string>::with<uint64_t>>;

/// Uploads: the upload service's.
using upload_store_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, upload_atom, std::string>::with<upload_info>,
  // A new upload, unless it takes its owner past the quota (bytes, 0: none):
  // errc::too_large then.
  caf::replies_to<create_atom, upload_info, uint64_t>::with<caf::ok_atom>,
  caf::replies_to<caf::put_atom, upload_info>::with<caf::ok_atom>,
  caf::replies_to<caf::delete_atom, upload_atom, std::string>::with<caf::ok_atom>,
  caf::replies_to<list_atom, upload_atom>::with<std::vector<upload_info>>,
  // Atomically marks the upload finished, creates its video and queues its
  // transcode job (video.job_id). Idempotent.
  caf::replies_to<finish_atom, upload_info, video>::with<video>>;

/// Transcode jobs: the transcoder's (and the gateway's, to read and re-run).
using job_store_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, job_atom, std::string>::with<job_info>,
  // The jobs still queued or running.
  caf::replies_to<list_atom, job_atom>::with<std::vector<job_info>>,
  // Each video's latest job when it is in this state and not dismissed
  // (failed: the dead letters), newest first.
  caf::replies_to<list_atom, job_atom, job_state>::with<std::vector<job_info>>,
  // A dead letter tried again: a new job for its video, queued with it
  // (errc::conflict unless it is the video's latest failed job, not dismissed).
  caf::replies_to<retry_atom, job_atom, std::string>::with<job_info>,
  // Puts a failed job aside (errc::conflict for any other state).
  caf::replies_to<dismiss_atom, job_atom, std::string>::with<job_info>,
  // A new job for the owner's video, queued with the video in one write
  // (errc::conflict while its latest job is active).
  caf::replies_to<create_atom, principal, std::string>::with<job_info>,
  // On a cluster: the member `node` takes the job unless another member with
  // a lease holds it (errc::conflict), or it is over.
  caf::replies_to<claim_atom, std::string, std::string>::with<job_info>,
  // A processing change (status, progress, results) of a video, and its job;
  // errc::conflict when the job's claim moved to another member (fenced).
  caf::replies_to<state_atom, video_state, job_info>::with<video>>;

/// Sign-in records: the auth service's. The key schema lives in the store.
using auth_records_actor = caf::typed_actor<
  // A challenge's record under its nonce; get reads it, take consumes it
  // (of two takes, exactly one gets it).
  caf::replies_to<caf::put_atom, nonce_atom, std::string, std::string>::with<caf::ok_atom>,
  caf::replies_to<caf::get_atom, nonce_atom, std::string>::with<std::string>,
  caf::replies_to<take_atom, nonce_atom, std::string>::with<std::string>,
  // Revokes a token id until its expiry (Unix seconds): true when this call
  // revoked it (of two concurrent ones, exactly one).
  caf::replies_to<revoke_atom, std::string, int64_t>::with<bool>,
  caf::replies_to<caf::get_atom, revoked_atom, std::string>::with<bool>,
  // Drops challenges past their expiry and revocations past the token's.
  caf::replies_to<sweep_atom, nonce_atom>::with<uint64_t>>;

/// The jobs service's records (schedules, webhooks, deliveries) as JSON text
/// under keys it chooses; they live with the others (in etcd on a cluster).
using ops_store_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, ops_atom, std::string>::with<std::string>,
  // The records whose keys start with the prefix, in key order.
  caf::replies_to<list_atom, ops_atom, std::string>::with<std::vector<std::string>>,
  // Writes the record (an empty value deletes it).
  caf::replies_to<caf::put_atom, ops_atom, std::string, std::string>::with<caf::ok_atom>,
  // Compare-and-set: writes (key, value) only while the record reads
  // `expected` (empty: absent); false when it read otherwise. Of two members
  // that set one record from the same value, exactly one succeeds.
  caf::replies_to<caf::put_atom, ops_atom, std::string, std::string, std::string>::with<bool>>;

/// Categories and playlists: the gateway's. The gateway alone lets the
/// operator (the admin token) change categories; playlists carry who asks.
using catalogue_store_actor = caf::typed_actor<
  caf::replies_to<list_atom, category_atom>::with<std::vector<category>>,
  // A new category (errc::conflict when its slug is taken).
  caf::replies_to<create_atom, category>::with<category>,
  caf::replies_to<caf::update_atom, category_atom, std::string, category_patch>::with<category>,
  // Deletes the category and takes it off its videos, which stay.
  caf::replies_to<caf::delete_atom, category_atom, std::string>::with<caf::ok_atom>,
  // A new playlist of the principal's (errc::bad_request naming a video that
  // does not exist).
  caf::replies_to<create_atom, principal, playlist>::with<playlist>,
  // Anyone may read a playlist by id (unlisted ones too).
  caf::replies_to<caf::get_atom, playlist_atom, std::string>::with<playlist>,
  // A page of playlists, newest first: the public ones, or one owner's
  // (their unlisted ones too when the principal is that owner); after the
  // cursor (empty, or "<created_ms>_<id>" of the last one seen), at most
  // `limit` (errc::bad_request for a malformed cursor).
  caf::replies_to<list_atom, playlist_atom, principal, std::string, std::string, uint32_t>::with<std::vector<playlist>>,
  // The owner's edits and deletion (errc::forbidden for anyone else).
  caf::replies_to<caf::update_atom, principal, std::string, playlist_patch>::with<playlist>,
  caf::replies_to<caf::delete_atom, playlist_atom, principal, std::string>::with<caf::ok_atom>>;

/// Playback analytics rows: the aggregator's.
using analytics_store_actor = caf::typed_actor<
  // Merges each row into the stored one (counts add, sketches merge), at once.
  caf::replies_to<caf::put_atom, analytics_atom, std::vector<view_stats_row>>::with<caf::ok_atom>,
  // The rows with keys in [from, to), in key order.
  caf::replies_to<list_atom, analytics_atom, std::string, std::string>::with<std::vector<view_stats_row>>,
  // The salt of a day ("2026-12-01"), made once for the whole cluster; the
  // salts of earlier days are deleted, so a viewer's hash cannot be redone.
  caf::replies_to<caf::get_atom, analytics_atom, std::string>::with<std::string>,
  // Deletes rows of hours before the time (Unix ms), at most `limit` of
  // them; how many it deleted (fewer than `limit`: none are left).
  caf::replies_to<caf::delete_atom, analytics_atom, int64_t, uint32_t>::with<uint64_t>>;

using metadata_actor = video_store_actor::extend_with<upload_store_actor, job_store_actor,
                                                      auth_records_actor, ops_store_actor,
                                                      catalogue_store_actor, analytics_store_actor>;

}  // namespace sg
