#pragma once
// A tus upload: what the client asked for and how far it got.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/states.hpp"

namespace sg {

/// What a tus POST asks for (metadata already decoded by the gateway).
struct upload_spec {
  uint64_t length = 0;
  std::string filename;
  std::string title;
  std::string description;
  std::vector<std::string> tags;
  std::string owner;
  std::string raw_metadata;  // echoed back in HEAD as Upload-Metadata
  bool partial = false;      // tus concatenation: a part of a later final
  std::vector<std::string> concat_parts;  // upload ids; non-empty = final
  std::vector<uint64_t> concat_lengths;   // their lengths, checked at creation
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, upload_spec& x) {
  return f(caf::meta::type_name("upload_spec"), x.length, x.filename, x.title,
           x.description, x.tags, x.owner, x.raw_metadata, x.partial,
           x.concat_parts, x.concat_lengths);
}

/// The stored state of an upload. `offset` only moves once bytes are durable.
struct upload_info {
  std::string id;
  std::string video_id;  // assigned at creation, the video exists once done
  upload_spec spec;
  uint64_t offset = 0;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  upload_state state = upload_state::active;

  bool complete() const { return offset == spec.length; }
  bool is_final() const { return !spec.concat_parts.empty(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, upload_info& x) {
  return f(caf::meta::type_name("upload_info"), x.id, x.video_id, x.spec,
           x.offset, x.created_ms, x.expires_ms, x.state);
}

}  // namespace sg
