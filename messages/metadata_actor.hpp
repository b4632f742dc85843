#pragma once
// metadata_store: the only owner of RocksDB. Everything persistent goes here.
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/job.hpp"
#include "messages/upload.hpp"
#include "messages/video.hpp"

namespace sg {

using metadata_actor = caf::typed_actor<
  // Readiness probe: answers once the database is open.
  caf::replies_to<caf::ping_atom>::with<caf::pong_atom>,
  caf::replies_to<caf::get_atom, video_atom, std::string>::with<video>,
  caf::replies_to<caf::update_atom, std::string, video_patch>::with<video>,
  // Removes the record, its index entries and its media directory.
  caf::replies_to<caf::delete_atom, video_atom, std::string>::with<caf::ok_atom>,
  caf::replies_to<query_atom, video_query>::with<video_page>,
  caf::replies_to<caf::get_atom, upload_atom, std::string>::with<upload_info>,
  // A new upload, unless it takes its owner past the quota (bytes, 0: none):
  // errc::too_large then.
  caf::replies_to<create_atom, upload_info, uint64_t>::with<caf::ok_atom>,
  caf::replies_to<caf::put_atom, upload_info>::with<caf::ok_atom>,
  // The bytes an owner's quota counts (active uploads and video sources).
  caf::replies_to<caf::get_atom, usage_atom, std::string>::with<uint64_t>,
  caf::replies_to<caf::delete_atom, upload_atom, std::string>::with<caf::ok_atom>,
  caf::replies_to<list_atom, upload_atom>::with<std::vector<upload_info>>,
  // Atomically marks the upload finished, creates its video and queues its
  // transcode job (video.job_id).
  caf::replies_to<finish_atom, upload_info, video>::with<video>,
  caf::replies_to<caf::put_atom, job_info>::with<caf::ok_atom>,
  caf::replies_to<caf::get_atom, job_atom, std::string>::with<job_info>,
  // The jobs still queued or running.
  caf::replies_to<list_atom, job_atom>::with<std::vector<job_info>>,
  // A processing change (status, progress, results) of a video, and its job.
  caf::replies_to<state_atom, video_state, job_info>::with<video>,
  // Auth records (nonces, revocations): put, get, and take = get and delete
  // in one step, so a nonce is consumed exactly once.
  caf::replies_to<auth_atom, caf::put_atom, std::string, std::string>::with<caf::ok_atom>,
  // Puts only when the key is absent: true when this call created it (of two
  // concurrent ones, exactly one gets true).
  caf::replies_to<auth_atom, create_atom, std::string, std::string>::with<bool>,
  caf::replies_to<auth_atom, caf::get_atom, std::string>::with<std::string>,
  caf::replies_to<auth_atom, take_atom, std::string>::with<std::string>,
  // Drops auth records whose time has passed: challenges past their expiry,
  // revocations past the token's own expiry. Answers how many went.
  caf::replies_to<auth_atom, sweep_atom>::with<uint64_t>>;

}  // namespace sg
