#pragma once
// upload_manager creates and finds uploads; one upload_session owns each
// active upload's bytes. A PATCH is a lease: open, chunks, commit (or abort).
#include <cstdint>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/offers.hpp"
#include "messages/principal.hpp"
#include "messages/upload.hpp"

namespace sg {

/// Largest chunk one message may carry (docs/architecture.md §Uploads and storage: media stays off big messages).
constexpr size_t max_chunk_bytes = 1 << 20;

/// Every command names who gives it; only the upload's owner is obeyed
/// (errc::forbidden otherwise), checked by the session itself.
using upload_session_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, principal>::with<upload_info>,
  // Starts a PATCH at `offset` (must equal the stored offset) and returns a
  // lease id; a second concurrent lease is refused with errc::conflict.
  // The algorithm is "" or one of sha1, sha256, md5.
  caf::replies_to<caf::open_atom, principal, uint64_t, std::string>::with<uint64_t>,
  // Appends bytes (<= max_chunk_bytes) under a lease; returns the lease's total.
  caf::replies_to<chunk_atom, uint64_t, std::vector<char>>::with<uint64_t>,
  // Makes the lease's bytes durable and moves the offset. A non-empty digest
  // is compared with the lease's checksum; on mismatch the bytes are dropped.
  caf::replies_to<commit_atom, uint64_t, std::string>::with<upload_info>,
  caf::reacts_to<abort_atom, uint64_t>,
  // Turns a complete upload into its video; a final (concatenated) upload
  // joins its parts first. Idempotent, and used again by crash recovery.
  caf::replies_to<finish_atom>::with<upload_info>,
  caf::replies_to<caf::delete_atom, principal>::with<caf::ok_atom>>;

using upload_manager_actor = caf::typed_actor<
  caf::replies_to<create_atom, upload_spec>::with<upload_info>,
  // The live session of an upload (rebuilt from RocksDB when needed);
  // errc::gone once it expired. On a cluster an upload lives on the member
  // that created it (its id starts with that member's tag); the others pass
  // the request on: errc::unavailable while that member is not up, errc::gone
  // once it left the cluster (docs/architecture.md §Uploads on a cluster).
  caf::replies_to<caf::open_atom, std::string>::with<upload_session_actor>,
  // Reclaims expired uploads and finishes those a crash interrupted; answers
  // how many it reclaimed (the jobs service's uploads.sweep schedule).
  caf::replies_to<sweep_atom>::with<uint64_t>,
  // The other members (name: member id) and their upload managers (null
  // while a member is not up), from this node's cluster service.
  caf::reacts_to<members_atom, std::vector<offered_service>>>;

}  // namespace sg
