#include "actors/metadata/analytics_records.hpp"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "runtime/ids.hpp"

namespace sg {

namespace {
const std::string salt_prefix = "salt/";

std::optional<view_stats> parse_row(const std::optional<std::string>& raw) {
  if (!raw)
    return std::nullopt;
  return nlohmann::json::parse(*raw).get<view_stats>();
}
}  // namespace

std::optional<std::string> record_txn::get_analytics(const std::string& key) {
  return log_.read(column::analytics, key);
}

void record_txn::put_analytics(const std::string& key, std::string value) {
  if (value.empty())
    return erase(column::analytics, key);
  writes_.push_back({column::analytics, key, std::move(value)});
}

std::vector<std::pair<std::string, std::string>> catalog::analytics_between(const std::string& from,
                                                                            const std::string& to) {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::analytics))};
  for (it->Seek(from); it->Valid() && it->key().compare(to) < 0; it->Next())
    out.emplace_back(it->key().ToString(), it->value().ToString());
  return out;
}

std::vector<std::string> catalog::analytics_rows_before(int64_t before_ms, size_t limit) {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::analytics))};
  // Keys sort by video or owner first, so every row is looked at; only keys
  // are read.
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    auto key = it->key().ToString();
    if (key.rfind(salt_prefix, 0) != 0 && analytics_keys::hour_of(key) < before_ms)
      out.push_back(std::move(key));
  }
  return out;
}

namespace analytics_records {

caf::result<caf::ok_atom> merge_rows(catalog& db, const std::vector<view_stats_row>& rows) {
  db.transact([&](record_txn& txn) {
    for (const auto& row : rows) {
      auto stored = parse_row(txn.get_analytics(row.key)).value_or(view_stats{});
      stored.merge(row.stats);
      txn.put_analytics(row.key, nlohmann::json(stored).dump());
    }
    return true;
  });
  return caf::ok_atom::value;
}

caf::result<std::vector<view_stats_row>> rows_between(catalog& db, const std::string& from, const std::string& to) {
  std::vector<view_stats_row> out;
  for (auto& [key, raw] : db.analytics_between(from, to))
    if (key.rfind(salt_prefix, 0) != 0)
      out.push_back({key, *parse_row(raw)});
  return out;
}

caf::result<std::string> salt_of(catalog& db, const std::string& day) {
  auto key = salt_prefix + day;
  if (auto salt = db.analytics_between(key, key + '\0'); !salt.empty())
    return salt.front().second;
  return db.transact([&](record_txn& txn) {
    if (auto made = txn.get_analytics(key))
      return *made;  // another node made it first
    for (auto& [old, _] : db.analytics_between(salt_prefix, key))
      txn.put_analytics(old, "");
    auto salt = random_hex(16);
    txn.put_analytics(key, salt);
    return salt;
  });
}

caf::result<uint64_t> prune_rows(catalog& db, int64_t before_ms, uint32_t limit) {
  // A cluster's transaction holds a bounded number of writes: 32 at a time.
  constexpr size_t per_transaction = 32;
  auto keys = db.analytics_rows_before(before_ms, limit);
  for (size_t at = 0; at < keys.size(); at += per_transaction) {
    db.transact([&](record_txn& txn) {
      for (size_t i = at; i < std::min(keys.size(), at + per_transaction); ++i)
        txn.put_analytics(keys[i], "");
      return true;
    });
  }
  return static_cast<uint64_t>(keys.size());
}

}  // namespace analytics_records

}  // namespace sg
