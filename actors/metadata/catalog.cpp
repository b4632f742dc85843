#include "actors/metadata/catalog.hpp"

#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include "actors/metadata/search_index.hpp"
#include "messages/video_json.hpp"

namespace sg {

namespace {

template <class T>
std::optional<T> read_json(database& db, column c, const std::string& key) {
  std::string raw;
  auto st = db.db().Get(rocksdb::ReadOptions{}, db.cf(c), key, &raw);
  if (st.IsNotFound())
    return std::nullopt;
  if (!st.ok())
    throw std::runtime_error("RocksDB get: " + st.ToString());
  return nlohmann::json::parse(raw).get<T>();
}

// What an upload or a video counts against its owner's quota.
int64_t charge(const std::optional<upload_info>& u) {
  return u && u->state == upload_state::active ? static_cast<int64_t>(u->spec.length) : 0;
}
int64_t charge(const std::optional<video>& v) {
  return v ? static_cast<int64_t>(v->source_bytes) : 0;
}

bool starts_with(const rocksdb::Slice& s, const std::string& prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

void catalog::commit(rocksdb::WriteBatch& b) {
  db_.write(b);
}

std::optional<video> catalog::get_video(const std::string& id) {
  return read_json<video>(db_, column::videos, id);
}

void catalog::stage_video(rocksdb::WriteBatch& b, const video& v,
                          const std::optional<video>& old) {
  auto fresh = search::index_keys(v);
  std::set<std::string> keep(fresh.begin(), fresh.end());
  if (old)
    for (const auto& k : search::index_keys(*old))
      if (keep.count(k) == 0)
        b.Delete(db_.cf(column::search), k);
  for (const auto& k : fresh)
    b.Put(db_.cf(column::search), k, rocksdb::Slice{});
  b.Put(db_.cf(column::videos), v.id, nlohmann::json(v).dump());
}

void catalog::put_video(const video& v, const std::optional<video>& old) {
  rocksdb::WriteBatch b;
  stage_video(b, v, old);
  commit(b);
}

void catalog::delete_video(const video& v) {
  rocksdb::WriteBatch b;
  stage_usage(b, v.owner, -charge(std::optional<video>{v}));
  for (const auto& k : search::index_keys(v))
    b.Delete(db_.cf(column::search), k);
  b.Delete(db_.cf(column::videos), v.id);
  commit(b);
}

video_page catalog::query(const video_query& q) {
  auto pq = search::parse(q);
  video_page page;
  const size_t limit = q.limit;
  // Walks candidates in order, keeping those that really match, until one more
  // than a page is found (the extra one proves there is a next page).
  auto take = [&](const std::string& order) {
    auto v = get_video(search::id_of_order_key(order));
    if (!v || !search::matches(*v, pq))
      return true;
    if (page.items.size() == limit) {
      page.next_cursor = search::order_key(page.items.back().created_ms, page.items.back().id);
      return false;
    }
    page.items.push_back(std::move(*v));
    return true;
  };
  std::unique_ptr<rocksdb::Iterator> it{
    db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::search))};
  if (pq.tag.empty() && pq.owner.empty() && pq.terms.empty() && !pq.prefix.empty()) {
    // Only a prefix: its postings span many words, each in its own order, so
    // gather the candidates after the cursor and walk them merged.
    auto range = "w" + std::string(1, '\0') + pq.prefix;
    std::set<std::string> orders;
    for (it->Seek(range); it->Valid() && starts_with(it->key(), range); it->Next()) {
      auto key = it->key().ToString();
      auto order = key.substr(key.size() - 32);
      if (order > q.cursor)
        orders.insert(std::move(order));
    }
    for (const auto& order : orders)
      if (!take(order))
        break;
    return page;
  }
  // Otherwise walk the most selective posting list we can name exactly.
  std::string list = search::all_prefix();
  if (!pq.tag.empty())
    list = search::tag_prefix(pq.tag);
  else if (!pq.owner.empty())
    list = search::owner_prefix(pq.owner);
  else if (!pq.terms.empty())
    list = search::word_prefix(*std::max_element(
      pq.terms.begin(), pq.terms.end(),
      [](const std::string& a, const std::string& b) { return a.size() < b.size(); }));
  for (it->Seek(list + q.cursor); it->Valid() && starts_with(it->key(), list); it->Next()) {
    auto order = it->key().ToString().substr(list.size());
    if (order == q.cursor)
      continue;
    if (!take(order))
      break;
  }
  return page;
}

std::optional<upload_info> catalog::get_upload(const std::string& id) {
  return read_json<upload_info>(db_, column::uploads, id);
}

bool catalog::create_upload(const upload_info& u, uint64_t quota_bytes) {
  // The metadata store handles one message at a time: nothing runs between.
  if (quota_bytes > 0 && usage_of(u.spec.owner) + static_cast<uint64_t>(charge(u)) > quota_bytes)
    return false;
  put_upload(u);
  return true;
}

void catalog::put_upload(const upload_info& u) {
  rocksdb::WriteBatch b;
  stage_usage(b, u.spec.owner, charge(u) - charge(get_upload(u.id)));
  b.Put(db_.cf(column::uploads), u.id, nlohmann::json(u).dump());
  commit(b);
}

void catalog::delete_upload(const std::string& id) {
  rocksdb::WriteBatch b;
  if (auto old = get_upload(id))
    stage_usage(b, old->spec.owner, -charge(old));
  b.Delete(db_.cf(column::uploads), id);
  commit(b);
}

std::vector<upload_info> catalog::list_uploads() {
  std::vector<upload_info> out;
  std::unique_ptr<rocksdb::Iterator> it{
    db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::uploads))};
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.push_back(nlohmann::json::parse(it->value().ToString()).get<upload_info>());
  return out;
}

video catalog::finish_upload(const upload_info& u, const video& v) {
  auto existing = get_video(v.id);
  rocksdb::WriteBatch b;
  auto done = u;
  done.state = upload_state::finished;
  // The upload's bytes become the video's: the owner's sum moves, not grows.
  stage_usage(b, u.spec.owner,
              (existing ? 0 : charge(std::optional<video>{v})) - charge(get_upload(u.id)));
  b.Put(db_.cf(column::uploads), done.id, nlohmann::json(done).dump());
  if (!existing) {
    stage_video(b, v, std::nullopt);
    if (!v.job_id.empty()) {
      job_info job;
      job.id = v.job_id;
      job.owner = v.owner;
      job.video_id = v.id;
      job.created_ms = job.updated_ms = v.created_ms;
      b.Put(db_.cf(column::jobs), job.id, nlohmann::json(job).dump());
    }
  }
  commit(b);
  return existing ? *existing : v;
}

std::optional<job_info> catalog::get_job(const std::string& id) {
  return read_json<job_info>(db_, column::jobs, id);
}

void catalog::put_job(const job_info& j) {
  rocksdb::WriteBatch b;
  b.Put(db_.cf(column::jobs), j.id, nlohmann::json(j).dump());
  commit(b);
}

std::vector<job_info> catalog::active_jobs() {
  std::vector<job_info> out;
  std::unique_ptr<rocksdb::Iterator> it{
    db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::jobs))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto j = nlohmann::json::parse(it->value().ToString()).get<job_info>();
    if (j.active())
      out.push_back(std::move(j));
  }
  return out;
}

std::optional<video> catalog::apply_state(const video_state& s, const job_info& j) {
  auto old = get_video(s.video_id);
  rocksdb::WriteBatch b;
  b.Put(db_.cf(column::jobs), j.id, nlohmann::json(j).dump());
  if (!old) {
    commit(b);
    return std::nullopt;
  }
  auto v = *old;
  v.status = s.status;
  v.progress = s.progress;
  v.error = s.error;
  if (!s.job_id.empty())
    v.job_id = s.job_id;
  if (s.has_media) {
    v.source = s.source;
    v.renditions = s.renditions;
    v.duration_ms = s.duration_ms;
  }
  v.updated_ms = j.updated_ms;
  stage_video(b, v, old);
  commit(b);
  return v;
}

namespace {
const std::string nonce_prefix = "nonce/";
const std::string revoked_prefix = "revoked/";
}  // namespace

void catalog::put_auth(const std::string& key, const std::string& value) {
  rocksdb::WriteBatch b;
  b.Put(db_.cf(column::auth), key, value);
  commit(b);
}

void catalog::put_nonce(const std::string& nonce, const std::string& record) {
  put_auth(nonce_prefix + nonce, record);
}

std::optional<std::string> catalog::get_nonce(const std::string& nonce) {
  return get_auth(nonce_prefix + nonce);
}

std::optional<std::string> catalog::take_nonce(const std::string& nonce) {
  return take_auth(nonce_prefix + nonce);
}

bool catalog::revoke(const std::string& jti, int64_t expires_s) {
  // The metadata store handles one message at a time: nothing runs between.
  if (is_revoked(jti))
    return false;
  put_auth(revoked_prefix + jti, std::to_string(expires_s));
  return true;
}

bool catalog::is_revoked(const std::string& jti) {
  return get_auth(revoked_prefix + jti).has_value();
}

std::optional<std::string> catalog::get_auth(const std::string& key) {
  std::string raw;
  auto st = db_.db().Get(rocksdb::ReadOptions{}, db_.cf(column::auth), key, &raw);
  if (st.IsNotFound())
    return std::nullopt;
  if (!st.ok())
    throw std::runtime_error("RocksDB get: " + st.ToString());
  return raw;
}

std::optional<std::string> catalog::take_auth(const std::string& key) {
  // The metadata store handles one message at a time: nothing runs between.
  auto value = get_auth(key);
  if (value) {
    rocksdb::WriteBatch b;
    b.Delete(db_.cf(column::auth), key);
    commit(b);
  }
  return value;
}

uint64_t catalog::usage_of(const std::string& owner) {
  std::string raw;
  auto st = db_.db().Get(rocksdb::ReadOptions{}, db_.cf(column::usage), owner, &raw);
  if (st.IsNotFound())
    return 0;
  if (!st.ok())
    throw storage_failure("RocksDB get: " + st.ToString(), false);
  return std::strtoull(raw.c_str(), nullptr, 10);
}

void catalog::stage_usage(rocksdb::WriteBatch& b, const std::string& owner, int64_t delta) {
  if (owner.empty() || delta == 0)
    return;
  auto now = static_cast<int64_t>(usage_of(owner));
  // Records older than the quota counted nothing: never below zero.
  b.Put(db_.cf(column::usage), owner, std::to_string(std::max<int64_t>(0, now + delta)));
}

uint64_t catalog::sweep_auth(int64_t now_ms) {
  rocksdb::WriteBatch b;
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::auth))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key().ToString();
    auto value = it->value().ToString();
    bool stale = false;
    if (key.rfind(nonce_prefix, 0) == 0) {
      auto j = nlohmann::json::parse(value, nullptr, false);
      stale = !j.is_object() || j.value("expires_ms", int64_t{0}) < now_ms;
    } else if (key.rfind(revoked_prefix, 0) == 0) {
      stale = std::strtoll(value.c_str(), nullptr, 10) * 1000 < now_ms;
    }
    if (stale) {
      b.Delete(db_.cf(column::auth), key);
      ++n;
    }
  }
  if (n > 0)
    commit(b);
  return n;
}

}  // namespace sg
