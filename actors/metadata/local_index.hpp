#pragma once
// The node's RocksDB as the index of its records (docs/architecture.md
// §Records): it stores each record written and, in the same atomic write,
// what derives from it (a video's or a playlist's search postings, its
// owner's quota sum) and how far it has followed its log.
#include <functional>
#include <mutex>

#include "runtime/record_log.hpp"

namespace sg {

/// Told the id of a video whose renditions were just replaced (a re-run
/// became ready): copies of the old ones must go. Called after the write,
/// from whichever thread applied it.
using renditions_replaced = std::function<void(const std::string& video_id)>;

/// Where playlists live in the catalogue column: "playlist/<id>".
inline const std::string playlist_key_prefix = "playlist/";

class local_index final : public record_sink {
public:
  explicit local_index(database& db, renditions_replaced on_replaced = {})
      : db_(db), on_replaced_(std::move(on_replaced)) {}

  sync_point position() override;
  bool holds_records() override;
  void apply(const std::vector<record_write>& writes, int64_t revision) override;
  void reset(const std::string& origin) override;
  void keep_only(const std::set<std::pair<column, std::string>>& keep, int64_t revision) override;

  /// Bytes an owner's quota counts: the declared length of their active
  /// uploads and the source size of their videos (renditions are ours to make).
  uint64_t usage_of(const std::string& owner);

  /// Writes the search keys of playlists stored before the index kept them
  /// (once per database).
  void index_stored_playlists();

private:
  database& db_;
  renditions_replaced on_replaced_;
  std::mutex writing_;  // one apply or reset at a time: each reads what it replaces
};

}  // namespace sg
