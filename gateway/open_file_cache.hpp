#pragma once
// The segment path's open files, kept per thread and reused for one second,
// as nginx's open_file_cache does: an open, a stat and a close fewer per
// request (about a quarter of the system calls of a small segment). A
// rendition replaced or removed is seen within that second.
#include <memory>
#include <string>

#include "gateway/file_body.hpp"
#include "runtime/media_files.hpp"

namespace sg {

/// The rendition file `name` of `video_id`, or nullptr when there is none.
std::shared_ptr<const open_file> open_rendition_cached(media_files& media, const std::string& video_id,
                                                       const std::string& name);

}  // namespace sg
