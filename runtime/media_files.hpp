#pragma once
// Media on the local disk: upload parts, video sources and renditions. The
// one place that knows their layout under the data directory; the media
// store actor serves it to peers, and the two hot paths (an upload's appends
// in its session, a segment's reads in the gateway) use it in-process.
// On a cluster the sources and renditions are shared through an object store
// (S3) and the local directory becomes a copy of what this node used,
// bounded by bytes, least recently used first out.
// docs/architecture.md §Media store, §Media in S3.
#include <sys/stat.h>

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "runtime/object_store.hpp"
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
  /// Local media under `data_dir`; with `shared`, also the cluster's, of
  /// which at most `cache_bytes` are kept here.
  explicit media_files(std::string data_dir, std::shared_ptr<object_store> shared = nullptr,
                       uint64_t cache_bytes = 0);

  /// Creates the directories (and, when shared, learns what the local copy
  /// holds); throws std::filesystem::filesystem_error.
  void create();

  /// An upload's bytes, created when missing.
  std::unique_ptr<part_file> open_part(const std::string& upload_id) const;
  /// Appends a finished part to `into` (an in-kernel copy).
  void append_part(part_file& into, const std::string& part_id, uint64_t length) const;
  void remove_part(const std::string& upload_id) const noexcept;
  /// The complete upload becomes the video's source. Idempotent (a crash
  /// between this and the database write runs it again).
  void commit_source(const std::string& upload_id, const std::string& video_id) const;

  /// Whether sources and renditions are shared with other nodes.
  bool shared() const { return shared_ != nullptr; }
  /// Makes the committed source readable on every node (nothing to do
  /// unless shared). Throws object_store_failure.
  void share_source(const std::string& video_id);
  /// Makes the renditions just published readable on every node, and drops
  /// those of an earlier transcode from the store. Throws object_store_failure.
  void share_renditions(const std::string& video_id);

  /// Where the video's transcode works; a shared source is copied here first
  /// (throws object_store_failure when the store fails).
  media_location locate(const std::string& video_id);
  /// Removes the video's source and renditions; false when some stayed.
  bool remove_video(const std::string& video_id) noexcept;

  /// Opens a rendition file (`name` is relative: "720p/seg_00001.m4s"; the
  /// caller has checked it names a servable file); -1 when absent. A shared
  /// rendition missing here is copied from the store first.
  int open_rendition(const std::string& video_id, const std::string& name, struct stat* st);

  /// Drops the local copies of a shared video's renditions (another member
  /// replaced them); they are copied again when next read.
  void forget_renditions(const std::string& video_id);
  /// Bytes of shared media held here.
  uint64_t cached_bytes() const;

private:
  std::string part_path(const std::string& upload_id) const;
  std::string video_dir(const std::string& video_id) const;
  static std::string object_key(const std::string& video_id, const std::string& name);
  bool fetch(const std::string& video_id, const std::string& name);
  void remember(const std::string& path, uint64_t size);
  void touch(const std::string& path);
  void forget_locked(const std::string& path);

  std::string root_;
  std::shared_ptr<object_store> shared_;
  uint64_t cache_bytes_;
  // The local copy of shared media, least recently used first.
  mutable std::mutex cache_mutex_;
  std::list<std::string> lru_;
  struct cached {
    std::list<std::string>::iterator at;
    uint64_t size;
    ino_t inode;  // a file published over it since is not this entry's to remove
  };
  void drop(const std::string& path, const cached& entry);
  std::unordered_map<std::string, cached> cache_;
  uint64_t held_ = 0;
};

}  // namespace sg
