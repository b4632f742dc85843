#include "actors/metadata/catalog.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "actors/metadata/search_index.hpp"
#include "messages/video_json.hpp"

namespace sg {

namespace {

template <class T>
std::optional<T> parse(const std::optional<std::string>& raw) {
  if (!raw)
    return std::nullopt;
  return nlohmann::json::parse(*raw).get<T>();
}

bool starts_with(const rocksdb::Slice& s, const std::string& prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

const std::string nonce_prefix = "nonce/";
const std::string revoked_prefix = "revoked/";

}  // namespace

std::optional<video> record_txn::get_video(const std::string& id) {
  return parse<video>(log_.read(column::videos, id));
}

std::optional<upload_info> record_txn::get_upload(const std::string& id) {
  return parse<upload_info>(log_.read(column::uploads, id));
}

std::optional<job_info> record_txn::get_job(const std::string& id) {
  return parse<job_info>(log_.read(column::jobs, id));
}

std::optional<std::string> record_txn::get_auth(const std::string& key) {
  return log_.read(column::auth, key);
}

std::optional<std::string> record_txn::get_ops(const std::string& key) {
  return log_.read(column::ops, key);
}

void record_txn::put(const video& v) {
  writes_.push_back({column::videos, v.id, nlohmann::json(v).dump()});
}

void record_txn::put(const upload_info& u) {
  writes_.push_back({column::uploads, u.id, nlohmann::json(u).dump()});
}

void record_txn::put(const job_info& j) {
  writes_.push_back({column::jobs, j.id, nlohmann::json(j).dump()});
}

void record_txn::put_auth(const std::string& key, std::string value) {
  writes_.push_back({column::auth, key, std::move(value)});
}

void record_txn::put_ops(const std::string& key, std::string value) {
  if (value.empty())
    return erase(column::ops, key);
  writes_.push_back({column::ops, key, std::move(value)});
}

void record_txn::erase(column table, const std::string& key) {
  writes_.push_back({table, key, std::nullopt});
}

catalog::catalog(database& db, const record_log_factory& open_log, renditions_replaced on_replaced)
    : db_(db), index_(db, std::move(on_replaced)), log_(open_log ? open_log(index_) : local_record_log(db, index_)) {
  index_.index_stored_playlists();
}

std::optional<std::string> catalog::get(column table, const std::string& key) {
  return db_.get(table, key);
}

std::optional<video> catalog::get_video(const std::string& id) {
  return parse<video>(get(column::videos, id));
}

void catalog::put_video(const video& v) {
  transact([&](record_txn& txn) {
    txn.put(v);
    return true;
  });
}

std::optional<video> catalog::update_video(const std::string& id,
                                           const std::function<bool(video&)>& change) {
  return transact([&](record_txn& txn) {
    auto v = txn.get_video(id);
    if (v && change(*v))
      txn.put(*v);
    return v;
  });
}

std::optional<video> catalog::delete_video(const std::string& id,
                                           const std::function<bool(const video&)>& allowed) {
  return transact([&](record_txn& txn) {
    auto v = txn.get_video(id);
    if (v && allowed(*v))
      txn.erase(column::videos, id);
    return v;
  });
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
  if (pq.tag.empty() && pq.owner.empty() && pq.category.empty() && pq.terms.empty() && !pq.prefix.empty()) {
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
  else if (!pq.category.empty())
    list = search::category_prefix(pq.category);
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
  return parse<upload_info>(get(column::uploads, id));
}

bool catalog::create_upload(const upload_info& u, uint64_t quota_bytes) {
  // On a cluster the sum is this node's view: concurrent uploads on other
  // nodes can overshoot the quota by what they add meanwhile.
  if (quota_bytes > 0 && u.state == upload_state::active &&
      usage_of(u.spec.owner) + u.spec.length > quota_bytes)
    return false;
  put_upload(u);
  return true;
}

void catalog::put_upload(const upload_info& u) {
  transact([&](record_txn& txn) {
    txn.put(u);
    return true;
  });
}

void catalog::delete_upload(const std::string& id) {
  transact([&](record_txn& txn) {
    txn.erase(column::uploads, id);
    return true;
  });
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
  return transact([&](record_txn& txn) {
    auto existing = txn.get_video(v.id);
    auto done = u;
    done.state = upload_state::finished;
    txn.put(done);
    if (existing)
      return *existing;
    txn.put(v);
    if (!v.job_id.empty()) {
      job_info job;
      job.id = v.job_id;
      job.owner = v.owner;
      job.video_id = v.id;
      job.created_ms = job.updated_ms = v.created_ms;
      txn.put(job);
    }
    return v;
  });
}

std::optional<job_info> catalog::get_job(const std::string& id) {
  return parse<job_info>(get(column::jobs, id));
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

std::vector<job_info> catalog::latest_jobs_in(job_state state) {
  std::vector<job_info> out;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::jobs))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto j = parse<job_info>(it->value().ToString());
    if (!j || j->state != state || j->dismissed)
      continue;
    auto v = get_video(j->video_id);
    if (v && v->job_id == j->id)
      out.push_back(std::move(*j));
  }
  std::sort(out.begin(), out.end(), [](const job_info& a, const job_info& b) { return a.updated_ms > b.updated_ms; });
  return out;
}

std::optional<job_info> catalog::dismiss_job(const std::string& id, bool* was_failed) {
  return transact([&](record_txn& txn) -> std::optional<job_info> {
    auto j = txn.get_job(id);
    *was_failed = j && j->state == job_state::failed;
    if (!j || !*was_failed)
      return j;
    j->dismissed = true;
    txn.put(*j);
    return j;
  });
}

std::optional<video> catalog::apply_state(const video_state& s, const job_info& j) {
  return transact([&](record_txn& txn) -> std::optional<video> {
    // Fencing: a member that lost its claim (it was paused past its lease,
    // and another took the job over) may not write about the job again.
    if (auto stored = txn.get_job(j.id); stored && stored->node != j.node)
      throw job_fenced("job " + j.id + " is claimed by " + (stored->node.empty() ? "nobody" : stored->node));
    txn.put(j);
    auto v = txn.get_video(s.video_id);
    if (!v)
      return std::nullopt;
    v->status = s.status;
    v->progress = s.progress;
    v->error = s.error;
    if (!s.job_id.empty())
      v->job_id = s.job_id;
    if (s.has_media) {
      v->source = s.source;
      v->renditions = s.renditions;
      v->duration_ms = s.duration_ms;
    }
    v->updated_ms = j.updated_ms;
    txn.put(*v);
    return v;
  });
}

std::optional<job_info> catalog::claim_job(const std::string& id, const std::string& node) {
  return transact([&](record_txn& txn) -> std::optional<job_info> {
    auto job = txn.get_job(id);
    if (!job || !job->active())
      return std::nullopt;
    if (job->node == node)
      return job;
    // The holder's liveness is read in the same transaction: no member's
    // possibly stale view of the others decides.
    if (!job->node.empty() && txn.member_alive(job->node))
      return std::nullopt;
    job->node = node;
    txn.put(*job);
    return job;
  });
}

void catalog::put_nonce(const std::string& nonce, const std::string& record) {
  transact([&](record_txn& txn) {
    txn.put_auth(nonce_prefix + nonce, record);
    return true;
  });
}

std::optional<std::string> catalog::get_nonce(const std::string& nonce) {
  return get(column::auth, nonce_prefix + nonce);
}

std::optional<std::string> catalog::take_nonce(const std::string& nonce) {
  return transact([&](record_txn& txn) {
    auto value = txn.get_auth(nonce_prefix + nonce);
    if (value)
      txn.erase(column::auth, nonce_prefix + nonce);
    return value;
  });
}

bool catalog::revoke(const std::string& jti, int64_t expires_s) {
  return transact([&](record_txn& txn) {
    if (txn.get_auth(revoked_prefix + jti))
      return false;
    txn.put_auth(revoked_prefix + jti, std::to_string(expires_s));
    return true;
  });
}

bool catalog::is_revoked(const std::string& jti) {
  return get(column::auth, revoked_prefix + jti).has_value();
}

uint64_t catalog::sweep_auth(int64_t now_ms) {
  std::vector<std::string> stale;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::auth))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key().ToString();
    auto value = it->value().ToString();
    bool spent = false;
    if (key.rfind(nonce_prefix, 0) == 0) {
      auto j = nlohmann::json::parse(value, nullptr, false);
      spent = !j.is_object() || j.value("expires_ms", int64_t{0}) < now_ms;
    } else if (key.rfind(revoked_prefix, 0) == 0) {
      spent = std::strtoll(value.c_str(), nullptr, 10) * 1000 < now_ms;
    }
    if (spent)
      stale.push_back(std::move(key));
  }
  // etcd takes at most 128 operations in one transaction (--max-txn-ops).
  constexpr size_t batch = 100;
  for (size_t from = 0; from < stale.size(); from += batch)
    transact([&](record_txn& txn) {
      for (size_t i = from; i < std::min(stale.size(), from + batch); ++i)
        txn.erase(column::auth, stale[i]);
      return true;
    });
  return stale.size();
}

std::optional<std::string> catalog::get_ops(const std::string& key) {
  return get(column::ops, key);
}

std::vector<std::string> catalog::list_ops(const std::string& prefix) {
  return scan(column::ops, prefix);
}

std::vector<std::string> catalog::scan(column table, const std::string& prefix) {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(table))};
  for (it->Seek(prefix); it->Valid() && starts_with(it->key(), prefix); it->Next())
    out.push_back(it->value().ToString());
  return out;
}

void catalog::put_ops(const std::string& key, const std::string& value) {
  transact([&](record_txn& txn) {
    txn.put_ops(key, value);
    return true;
  });
}

bool catalog::swap_ops(const std::string& key, const std::string& value, const std::string& expected) {
  return transact([&](record_txn& txn) {
    if (txn.get_ops(key).value_or("") != expected)
      return false;
    txn.put_ops(key, value);
    return true;
  });
}

}  // namespace sg
