#pragma once
// The records (videos, uploads, jobs, sign-in records) and their search:
// reads come from the local index in RocksDB, writes are transactions on the
// record log (docs/architecture.md §Records), so they are the same code on
// a single node and on a cluster. metadata_store wraps it in an actor; tests
// use it bare.
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/metadata/local_index.hpp"
#include "messages/catalogue.hpp"
#include "messages/job.hpp"
#include "messages/upload.hpp"
#include "messages/video.hpp"
#include "runtime/record_log.hpp"

namespace sg {

/// What one transaction reads (as the log holds it now) and writes.
class record_txn {
public:
  explicit record_txn(record_log& log) : log_(log) {}

  std::optional<video> get_video(const std::string& id);
  std::optional<upload_info> get_upload(const std::string& id);
  std::optional<job_info> get_job(const std::string& id);
  std::optional<std::string> get_auth(const std::string& key);
  std::optional<std::string> get_ops(const std::string& key);
  std::optional<category> get_category(const std::string& slug);
  std::optional<playlist> get_playlist(const std::string& id);
  std::optional<std::string> get_analytics(const std::string& key);
  bool member_alive(const std::string& member_id) { return log_.member_alive(member_id); }

  void put(const video& v);
  void put(const upload_info& u);
  void put(const job_info& j);
  void put_auth(const std::string& key, std::string value);
  void put_ops(const std::string& key, std::string value);
  void put(const category& c);
  void put(const playlist& p);
  void erase_category(const std::string& slug);
  void erase_playlist(const std::string& id);
  void put_analytics(const std::string& key, std::string value);
  void erase(column table, const std::string& key);

  const std::vector<record_write>& writes() const { return writes_; }

private:
  record_log& log_;
  std::vector<record_write> writes_;
};

/// A write about a job from a member whose claim on it has moved on.
struct job_fenced : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class catalog {
public:
  /// Reads and writes `db` as a single node unless `open_log` names the log
  /// this node's records follow; throws when that cannot be opened.
  explicit catalog(database& db, const record_log_factory& open_log = {},
                   renditions_replaced on_replaced = {});

  /// Runs `body(record_txn&)` until its writes commit with nothing it read
  /// changed, and returns what the committed run returned.
  template <class F>
  auto transact(F&& body) -> decltype(body(std::declval<record_txn&>()));

  std::optional<video> get_video(const std::string& id);
  void put_video(const video& v);
  /// Changes a video through `change` (false: leave it as it is); the video
  /// as it is now, nothing when it does not exist.
  std::optional<video> update_video(const std::string& id, const std::function<bool(video&)>& change);
  /// Deletes a video when `allowed`; the video as it was, nothing when it
  /// does not exist.
  std::optional<video> delete_video(const std::string& id, const std::function<bool(const video&)>& allowed);
  /// `q.cursor` must be empty or a search::is_order_key.
  video_page query(const video_query& q);

  std::optional<upload_info> get_upload(const std::string& id);
  /// Stores a new upload unless it would take its owner past `quota_bytes`
  /// (0: no quota); false when it would.
  bool create_upload(const upload_info& u, uint64_t quota_bytes);
  void put_upload(const upload_info& u);
  void delete_upload(const std::string& id);
  std::vector<upload_info> list_uploads();
  /// One transaction: the upload becomes finished, its video exists and its
  /// transcode job (v.job_id) is queued. Idempotent: returns the stored video
  /// when it exists already.
  video finish_upload(const upload_info& u, const video& v);

  std::optional<job_info> get_job(const std::string& id);
  std::vector<job_info> active_jobs();
  /// The jobs in `state` that are still their video's latest and were not
  /// dismissed (failed: the dead letters), newest first.
  std::vector<job_info> latest_jobs_in(job_state state);
  /// Puts a failed job aside; the job as stored, nothing when there is none.
  /// `was_failed` says whether it was failed (else it is left as it is).
  std::optional<job_info> dismiss_job(const std::string& id, bool* was_failed);
  /// Applies a processing change to the stored video and stores the job, at
  /// once. Returns the updated video, or nothing when it no longer exists.
  /// Throws job_fenced when the stored job names another node than `j`.
  std::optional<video> apply_state(const video_state& s, const job_info& j);
  /// `node` takes an active job unless another member that holds a lease
  /// (as etcd says at commit) has it; the job as stored then, or nothing when
  /// it is over or held.
  std::optional<job_info> claim_job(const std::string& id, const std::string& node);

  /// Sign-in records, under a key schema that lives here only: a challenge's
  /// record by its nonce (JSON with "expires_ms"), a revoked token id with
  /// the token's expiry (Unix seconds).
  void put_nonce(const std::string& nonce, const std::string& record);
  std::optional<std::string> get_nonce(const std::string& nonce);
  /// Reads and deletes at once: of two takers, one gets it.
  std::optional<std::string> take_nonce(const std::string& nonce);
  /// False when the token id was revoked already.
  bool revoke(const std::string& jti, int64_t expires_s);
  bool is_revoked(const std::string& jti);
  /// Deletes challenges expired before `now_ms` and revocations whose token
  /// expired; returns how many.
  uint64_t sweep_auth(int64_t now_ms);

  uint64_t usage_of(const std::string& owner) { return index_.usage_of(owner); }

  /// The jobs service's records: JSON text under its own keys.
  std::optional<std::string> get_ops(const std::string& key);
  std::vector<std::string> list_ops(const std::string& prefix);
  /// Writes the record; an empty value deletes it.
  void put_ops(const std::string& key, const std::string& value);
  /// Writes only while the record reads `expected` (empty: absent).
  bool swap_ops(const std::string& key, const std::string& value, const std::string& expected);

  /// The catalogue (catalogue_records.cpp): categories by slug; playlists
  /// from one of the index's lists (search::playlist_owner_prefix,
  /// search::public_playlists_prefix), newest first, after the order key
  /// `after`, at most `limit` that pass `keep`; and up to `limit` ids of the
  /// videos in a category.
  std::optional<category> get_category(const std::string& slug);
  std::vector<category> categories();
  std::optional<playlist> get_playlist(const std::string& id);
  std::vector<playlist> playlists_in(const std::string& list, const std::string& after, size_t limit,
                                     const std::function<bool(const playlist&)>& keep);
  std::vector<std::string> videos_in_category(const std::string& slug, size_t limit);

  /// Analytics rows (analytics_records.cpp): (key, value) with keys in [from, to).
  std::vector<std::pair<std::string, std::string>> analytics_between(const std::string& from, const std::string& to);
  /// Up to `limit` keys of analytics rows whose hour is before `before_ms`.
  std::vector<std::string> analytics_rows_before(int64_t before_ms, size_t limit);

private:
  std::optional<std::string> get(column table, const std::string& key);
  /// The values of the records whose keys start with `prefix`, in key order.
  std::vector<std::string> scan(column table, const std::string& prefix);
  database& db_;
  local_index index_;
  std::unique_ptr<record_log> log_;
};

template <class F>
auto catalog::transact(F&& body) -> decltype(body(std::declval<record_txn&>())) {
  // Optimistic: a conflict means another node wrote what we read; past a
  // few, something is wrong and the caller hears of it.
  constexpr int max_attempts = 16;
  for (int attempt = 1;; ++attempt) {
    log_->begin();
    record_txn txn{*log_};
    auto result = body(txn);
    if (txn.writes().empty() || log_->commit(txn.writes()))
      return result;
    if (attempt == max_attempts)
      throw storage_failure("the records kept changing under this write", false);
  }
}

}  // namespace sg
