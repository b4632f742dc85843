#include "actors/metadata/local_index.hpp"

#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include "actors/metadata/search_index.hpp"
#include "messages/analytics.hpp"
#include "messages/catalogue_json.hpp"
#include "messages/video_json.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

const std::string origin_key = "origin";
const std::string revision_key = "revision";
// Set once the playlists' search keys were written for the records stored
// before the index had them (an older version's data).
const std::string playlists_indexed_key = "playlists_indexed";

// A record as it parses, or nothing (absent, or not a record of that type:
// a log is data we did not write ourselves).
template <class T>
std::optional<T> parse_record(const std::optional<std::string>& raw) {
  if (!raw)
    return std::nullopt;
  auto j = parse_json(*raw, nullptr, 32);
  if (!j)
    return std::nullopt;
  try {
    return j->get<T>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool is_playlist_key(const record_write& w) {
  return w.table == column::catalogue && w.key.rfind(playlist_key_prefix, 0) == 0;
}

// What an upload or a video counts against its owner's quota.
int64_t charge(const std::optional<upload_info>& u) {
  return u && u->state == upload_state::active ? static_cast<int64_t>(u->spec.length) : 0;
}
int64_t charge(const std::optional<video>& v) {
  return v ? static_cast<int64_t>(v->source_bytes) : 0;
}

// One apply's batch: the writes so far, so that a key written twice sees its
// first value as the old one, and the quota moves summed per owner.
struct staged_batch {
  explicit staged_batch(database& d) : db(d) {}
  database& db;
  rocksdb::WriteBatch batch;
  std::map<std::pair<column, std::string>, std::optional<std::string>> values;
  std::map<std::string, int64_t> usage_moves;
  std::vector<std::string> replaced;  // videos whose re-run became ready

  std::optional<std::string> current(column c, const std::string& key) {
    auto it = values.find({c, key});
    return it != values.end() ? it->second : db.get(c, key);
  }

  void move_usage(const std::string& owner, int64_t delta) {
    if (!owner.empty() && delta != 0)
      usage_moves[owner] += delta;
  }

  // The search keys of a record (a video's or a playlist's) follow it.
  template <class T>
  void postings(const std::optional<T>& old, const std::optional<T>& fresh) {
    std::set<std::string> keep;
    if (fresh) {
      auto keys = search::index_keys(*fresh);
      keep.insert(keys.begin(), keys.end());
    }
    if (old)
      for (const auto& k : search::index_keys(*old))
        if (keep.count(k) == 0)
          batch.Delete(db.cf(column::search), k);
    for (const auto& k : keep)
      batch.Put(db.cf(column::search), k, rocksdb::Slice{});
  }

  void derive(const record_write& w, const std::optional<std::string>& old_raw) {
    if (w.table == column::videos) {
      auto old = parse_record<video>(old_raw);
      auto fresh = parse_record<video>(w.value);
      postings(old, fresh);
      // Ready again after a re-run (seen as it happens, or across a copy).
      if (old && fresh && fresh->status == video_status::ready && !old->renditions.empty() &&
          (old->status != video_status::ready || old->job_id != fresh->job_id))
        replaced.push_back(fresh->id);
      if (old)
        move_usage(old->owner, -charge(old));
      if (fresh)
        move_usage(fresh->owner, charge(fresh));
    } else if (is_playlist_key(w)) {
      postings(parse_record<playlist>(old_raw), parse_record<playlist>(w.value));
    } else if (w.table == column::uploads) {
      auto old = parse_record<upload_info>(old_raw);
      auto fresh = parse_record<upload_info>(w.value);
      if (old)
        move_usage(old->spec.owner, -charge(old));
      if (fresh)
        move_usage(fresh->spec.owner, charge(fresh));
    }
  }

  // A log is data others wrote: a record that does not parse is not indexed.
  static bool parses(const record_write& w) {
    if (!w.value)
      return true;
    switch (w.table) {
      case column::videos: return parse_record<video>(w.value).has_value();
      case column::uploads: return parse_record<upload_info>(w.value).has_value();
      case column::jobs: return parse_record<job_info>(w.value).has_value();
      case column::catalogue:
        return is_playlist_key(w) ? parse_record<playlist>(w.value).has_value()
                                  : parse_record<category>(w.value).has_value();
      case column::analytics:  // rows, and the day's salt (plain text)
        return w.key.rfind("salt/", 0) == 0 || parse_record<view_stats>(w.value).has_value();
      default: return true;
    }
  }

  void stage(record_write w) {
    if (!parses(w)) {
      log::error("metadata", "a record that does not parse is left out of the index",
                 {{"table", record_column_name(w.table)}, {"key", w.key}});
      w.value.reset();
    }
    auto old = current(w.table, w.key);
    derive(w, old);
    if (w.value)
      batch.Put(db.cf(w.table), w.key, *w.value);
    else
      batch.Delete(db.cf(w.table), w.key);
    values[{w.table, w.key}] = w.value;
  }
};

}  // namespace

sync_point local_index::position() {
  sync_point at;
  at.origin = db_.get(column::sync, origin_key).value_or("");
  at.revision = std::strtoll(db_.get(column::sync, revision_key).value_or("0").c_str(), nullptr, 10);
  return at;
}

bool local_index::holds_records() {
  for (auto c : record_columns) {
    std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(c))};
    it->SeekToFirst();
    if (it->Valid())
      return true;
  }
  return false;
}

void local_index::apply(const std::vector<record_write>& writes, int64_t revision) {
  std::lock_guard<std::mutex> lock{writing_};
  staged_batch b{db_};
  for (const auto& w : writes)
    b.stage(w);
  for (const auto& [owner, delta] : b.usage_moves) {
    auto now = static_cast<int64_t>(usage_of(owner));
    // Records older than the quota counted nothing: never below zero.
    b.batch.Put(db_.cf(column::usage), owner, std::to_string(std::max<int64_t>(0, now + delta)));
  }
  if (revision > 0)
    b.batch.Put(db_.cf(column::sync), revision_key, std::to_string(revision));
  db_.write(b.batch);
  if (on_replaced_)
    for (const auto& id : b.replaced)
      on_replaced_(id);
}

void local_index::reset(const std::string& origin) {
  std::lock_guard<std::mutex> lock{writing_};
  rocksdb::WriteBatch b;
  for (auto c : {column::videos, column::uploads, column::jobs, column::search, column::auth,
                 column::usage, column::sync, column::ops, column::catalogue,
                 column::analytics}) {
    std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(c))};
    for (it->SeekToFirst(); it->Valid(); it->Next())
      b.Delete(db_.cf(c), it->key());
  }
  b.Put(db_.cf(column::sync), origin_key, origin);
  b.Put(db_.cf(column::sync), revision_key, "0");
  b.Put(db_.cf(column::sync), playlists_indexed_key, "1");  // the records to come bring their keys
  db_.write(b);
  log::info("metadata", "local index reset", {{"origin", origin}});
}

void local_index::keep_only(const std::set<std::pair<column, std::string>>& keep, int64_t revision) {
  std::vector<record_write> gone;
  for (auto c : record_columns) {
    std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(c))};
    for (it->SeekToFirst(); it->Valid(); it->Next())
      if (keep.count({c, it->key().ToString()}) == 0)
        gone.push_back({c, it->key().ToString(), std::nullopt});
  }
  apply(gone, revision);
}

void local_index::index_stored_playlists() {
  std::lock_guard<std::mutex> lock{writing_};
  if (db_.get(column::sync, playlists_indexed_key))
    return;
  rocksdb::WriteBatch b;
  size_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::catalogue))};
  for (it->Seek(playlist_key_prefix); it->Valid() && it->key().starts_with(playlist_key_prefix); it->Next()) {
    if (auto p = parse_record<playlist>(it->value().ToString())) {
      for (const auto& k : search::index_keys(*p))
        b.Put(db_.cf(column::search), k, rocksdb::Slice{});
      ++count;
    }
  }
  b.Put(db_.cf(column::sync), playlists_indexed_key, "1");
  db_.write(b);
  if (count > 0)
    log::info("metadata", "stored playlists indexed", {{"playlists", count}});
}

uint64_t local_index::usage_of(const std::string& owner) {
  return std::strtoull(db_.get(column::usage, owner).value_or("0").c_str(), nullptr, 10);
}

}  // namespace sg
