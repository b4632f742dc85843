#pragma once
// Synchronous access to the records in RocksDB: videos with their search
// postings, and uploads. metadata_store wraps it in an actor; tests use it bare.
#include <optional>
#include <string>
#include <vector>

#include "messages/upload.hpp"
#include "messages/video.hpp"
#include "runtime/storage.hpp"

namespace sg {

class catalog {
public:
  explicit catalog(database& db) : db_(db) {}

  std::optional<video> get_video(const std::string& id);
  /// Stores `v` and moves its postings from those of `old` (if any).
  void put_video(const video& v, const std::optional<video>& old);
  void delete_video(const video& v);
  /// `q.cursor` must be empty or a search::is_order_key.
  video_page query(const video_query& q);

  std::optional<upload_info> get_upload(const std::string& id);
  void put_upload(const upload_info& u);
  void delete_upload(const std::string& id);
  std::vector<upload_info> list_uploads();
  /// One atomic write: the upload becomes finished and its video exists.
  /// Idempotent: returns the stored video when it exists already.
  video finish_upload(const upload_info& u, const video& v);

private:
  void stage_video(rocksdb::WriteBatch& b, const video& v, const std::optional<video>& old);
  void commit(rocksdb::WriteBatch& b);
  database& db_;
};

}  // namespace sg
