#pragma once
// Synchronous access to the records in RocksDB: videos with their search
// postings, and uploads. metadata_store wraps it in an actor; tests use it bare.
#include <optional>
#include <string>
#include <vector>

#include "messages/job.hpp"
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
  /// Stores a new upload unless it would take its owner past `quota_bytes`
  /// (0: no quota); false when it would.
  bool create_upload(const upload_info& u, uint64_t quota_bytes);
  void put_upload(const upload_info& u);
  void delete_upload(const std::string& id);
  std::vector<upload_info> list_uploads();
  /// One atomic write: the upload becomes finished, its video exists and its
  /// transcode job (v.job_id) is queued. Idempotent: returns the stored video
  /// when it exists already.
  video finish_upload(const upload_info& u, const video& v);

  std::optional<job_info> get_job(const std::string& id);
  void put_job(const job_info& j);
  std::vector<job_info> active_jobs();
  /// Applies a processing change to the stored video and stores the job, at
  /// once. Returns the updated video, or nothing when it no longer exists.
  std::optional<video> apply_state(const video_state& s, const job_info& j);

  /// Sign-in records, under a key schema that lives here only: a challenge's
  /// record by its nonce (JSON with "expires_ms"), a revoked token id with
  /// the token's expiry (Unix seconds).
  void put_nonce(const std::string& nonce, const std::string& record);
  std::optional<std::string> get_nonce(const std::string& nonce);
  /// Reads and deletes in one write; nothing when absent.
  std::optional<std::string> take_nonce(const std::string& nonce);
  /// False when the token id was revoked already.
  bool revoke(const std::string& jti, int64_t expires_s);
  bool is_revoked(const std::string& jti);
  /// Deletes challenges expired before `now_ms` and revocations whose token
  /// expired; returns how many.
  uint64_t sweep_auth(int64_t now_ms);

  /// Bytes an owner's quota counts: the declared length of their active
  /// uploads and the source size of their videos (renditions are ours to
  /// make). Every write that changes them updates the sum in the same batch.
  uint64_t usage_of(const std::string& owner);

private:
  void put_auth(const std::string& key, const std::string& value);
  std::optional<std::string> get_auth(const std::string& key);
  std::optional<std::string> take_auth(const std::string& key);
  void stage_usage(rocksdb::WriteBatch& b, const std::string& owner, int64_t delta);
  void stage_video(rocksdb::WriteBatch& b, const video& v, const std::optional<video>& old);
  void commit(rocksdb::WriteBatch& b);
  database& db_;
};

}  // namespace sg
