#pragma once
// Media on the local disk: upload parts, video sources and renditions. The
// one place that knows their layout under the data directory; the media
// store actor serves it to peers, and the two hot paths (an upload's appends
// in its session, a segment's reads in the gateway) use it in-process.
// docs/architecture.md §Media store.
#include <sys/stat.h>

#include <memory>
#include <string>

#include "runtime/part_file.hpp"

namespace sg {

/// Where a transcode reads its source and builds and publishes renditions.
struct media_location {
  std::string source;
  std::string work_dir;     // built here, then moved into publish_dir
  std::string publish_dir;  // the video's directory: `source` stays, renditions are replaced
};

class media_files {
public:
  explicit media_files(std::string data_dir);

  /// Creates the directories; throws std::filesystem::filesystem_error.
  void create() const;

  /// An upload's bytes, created when missing.
  std::unique_ptr<part_file> open_part(const std::string& upload_id) const;
  /// Appends a finished part to `into` (an in-kernel copy).
  void append_part(part_file& into, const std::string& part_id, uint64_t length) const;
  void remove_part(const std::string& upload_id) const noexcept;
  /// The complete upload becomes the video's source. Idempotent (a crash
  /// between this and the database write runs it again).
  void commit_source(const std::string& upload_id, const std::string& video_id) const;

  media_location locate(const std::string& video_id) const;
  /// Removes the video's source and renditions; false when some stayed.
  bool remove_video(const std::string& video_id) const noexcept;

  /// Opens a rendition file (`name` is relative: "720p/seg_00001.m4s"; the
  /// caller has checked it names a servable file); -1 when absent.
  int open_rendition(const std::string& video_id, const std::string& name, struct stat* st) const;

private:
  std::string part_path(const std::string& upload_id) const;
  std::string video_dir(const std::string& video_id) const;
  std::string root_;
};

}  // namespace sg
