#pragma once
// media_store: owns upload parts, video sources and renditions. Nobody else
// knows where they live; a local-disk implementation now, an S3-compatible
// one behind the same interface when clustered. docs/architecture.md §Media store.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace sg {

/// Where a transcode reads its source and builds and publishes renditions.
struct media_paths {
  std::string source;
  std::string work_dir;
  std::string publish_dir;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, media_paths& x) {
  return f(caf::meta::type_name("media_paths"), x.source, x.work_dir, x.publish_dir);
}

/// A file's size and version.
struct media_stat {
  uint64_t size = 0;
  int64_t modified_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, media_stat& x) {
  return f(caf::meta::type_name("media_stat"), x.size, x.modified_ns);
}

/// At most this many bytes in one read (messages stay small).
constexpr uint32_t max_media_read = 1 << 20;

using media_store_actor = caf::typed_actor<
  // Where a video's transcode works (on a cluster, its source is copied
  // there first: errc::unavailable when the object store fails).
  caf::replies_to<locate_atom, std::string>::with<media_paths>,
  // The committed source of an upload, and the renditions a transcode just
  // published, become readable on every node (on a single node they are).
  caf::replies_to<caf::put_atom, video_atom, std::string>::with<caf::ok_atom>,
  caf::replies_to<caf::publish_atom, video_atom, std::string>::with<caf::ok_atom>,
  // A video's renditions were replaced (a re-run, on some member): copies of
  // the old ones kept here go.
  caf::reacts_to<stale_atom, video_atom, std::string>,
  // A video's source and renditions go.
  caf::replies_to<caf::delete_atom, video_atom, std::string>::with<caf::ok_atom>,
  // An upload's bytes go.
  caf::replies_to<caf::delete_atom, upload_atom, std::string>::with<caf::ok_atom>,
  // A rendition file ("720p/seg_00001.m4s") of a video: its size and version,
  // and up to max_media_read bytes from an offset (errc::not_found).
  caf::replies_to<caf::get_atom, media_atom, std::string, std::string>::with<media_stat>,
  caf::replies_to<caf::get_atom, media_atom, std::string, std::string, uint64_t, uint32_t>::with<std::vector<char>>>;

}  // namespace sg
