#include "cluster/membership.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace sg::cluster {

namespace {

using namespace std::chrono_literals;

constexpr auto retry_pause = 200ms;

}  // namespace

std::string to_json(const member_record& r) {
  return dump_json({{"id", r.id}, {"name", r.name}, {"cluster", r.cluster}, {"address", r.address},
                    {"http", r.http}, {"roles", r.roles}, {"started_ms", r.started_ms}});
}

std::optional<member_record> member_from_json(const std::string& text) {
  auto j = parse_json(text);
  if (!j || !j->is_object())
    return std::nullopt;
  try {
    member_record r;
    r.id = j->at("id").get<std::string>();
    r.name = j->at("name").get<std::string>();
    r.cluster = j->at("cluster").get<std::string>();
    r.address = j->at("address").get<std::string>();
    r.http = j->value("http", "");
    r.roles = j->value("roles", std::vector<std::string>{});
    r.started_ms = j->value("started_ms", int64_t{0});
    if (r.id.empty() || r.address.empty())
      return std::nullopt;
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

membership::membership(membership_settings settings, member_record self, caf::actor sink)
    : settings_(std::move(settings)),
      self_(std::move(self)),
      self_json_(to_json(self_)),
      sink_(std::move(sink)),
      keeper_(settings_.endpoints, settings_.tls),
      watcher_(settings_.endpoints, settings_.tls) {
}

membership::~membership() {
  leave();
}

void membership::start() {
  keep_alive_thread_ = std::thread{[this] { keep_alive_loop(); }};
  watch_thread_ = std::thread{[this] { watch_loop(); }};
}

void membership::leave() {
  if (leaving_.exchange(true))
    return;
  wake_.notify_all();
  watcher_.cancel();
  if (keep_alive_thread_.joinable())
    keep_alive_thread_.join();
  // A cancel() that came between two watch calls would be missed.
  while (watch_thread_.joinable() && !watch_done_) {
    watcher_.cancel();
    std::this_thread::sleep_for(20ms);
  }
  if (watch_thread_.joinable())
    watch_thread_.join();
}

bool membership::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock{mutex_};
  return !wake_.wait_for(lock, d, [this] { return leaving_.load(); });
}

// Register, then renew every TTL/3; a lost lease means the cluster counted
// this node out (paused, cut off): register again under a new one.
void membership::keep_alive_loop() {
  const auto key = settings_.prefix + self_.id;
  const auto period = std::chrono::milliseconds(settings_.ttl_s * 1000 / 3);
  int64_t lease = 0;
  while (!leaving_) {
    try {
      if (lease == 0) {
        lease = keeper_.grant(settings_.ttl_s);
        keeper_.put(key, self_json_, lease);
        log::info("cluster", "registered", {{"id", self_.id}, {"etcd", keeper_.endpoint()}});
      } else if (keeper_.keep_alive(lease) == 0) {
        log::warn("cluster", "lease lost: this node was counted out; joining again", {{"id", self_.id}});
        lease = 0;
        continue;
      }
      caf::anon_send(sink_, lease_atom::value, true);
    } catch (const etcd::error& e) {
      log::warn("cluster", "etcd did not answer the keepalive", {{"error", e.what()}});
      caf::anon_send(sink_, lease_atom::value, false);
    }
    sleep_for(lease == 0 ? retry_pause : period);
  }
  if (lease != 0) {
    try {
      auto leaving = nlohmann::json::parse(self_json_);
      leaving["leaving"] = true;
      keeper_.put(key, leaving.dump(), lease);
      keeper_.revoke(lease);  // peers see the record go now, not after the TTL
      log::info("cluster", "left", {{"id", self_.id}});
    } catch (const etcd::error& e) {
      log::warn("cluster", "could not revoke the lease; it expires by itself", {{"error", e.what()}});
    }
  }
}

void membership::seen(const etcd::key_value& kv) {
  auto record = member_from_json(kv.value);
  if (!record || record->id != kv.key.substr(settings_.prefix.size())) {
    log::warn("cluster", "ignored a malformed member record", {{"key", kv.key}});
    return;
  }
  if (record->id == self_.id)
    return;
  if (parse_json(kv.value)->value("leaving", false)) {
    if (known_.erase(record->id) > 0)
      caf::anon_send(sink_, gone_atom::value, record->id, true);
    return;
  }
  known_.insert(record->id);
  auto problem = record->cluster == self_.cluster ? std::string{}
                                                  : "it belongs to cluster '" + record->cluster + "'";
  caf::anon_send(sink_, member_atom::value, *record, problem);
}

// A snapshot of the prefix, then its changes from the snapshot's revision
// on; a broken stream resumes from the last revision seen, a compacted one
// starts over from a snapshot.
void membership::watch_loop() {
  int64_t next = 0;
  while (!leaving_) {
    try {
      if (next == 0) {
        auto now = watcher_.get_prefix(settings_.prefix);
        std::set<std::string> present;
        for (const auto& kv : now.kvs) {
          present.insert(kv.key.substr(settings_.prefix.size()));
          seen(kv);
        }
        for (auto it = known_.begin(); it != known_.end();) {
          if (present.count(*it) == 0) {
            caf::anon_send(sink_, gone_atom::value, *it, false);
            it = known_.erase(it);
          } else {
            ++it;
          }
        }
        next = now.revision + 1;
      }
      watcher_.watch(settings_.prefix, next, [&](const etcd::watch_batch& batch) {
        if (batch.compact_revision > 0) {
          next = 0;
          return false;
        }
        for (const auto& e : batch.events) {
          next = std::max(next, e.kv.mod_revision + 1);
          if (!e.removed) {
            seen(e.kv);
            continue;
          }
          auto id = e.kv.key.substr(settings_.prefix.size());
          if (known_.erase(id) > 0 && id != self_.id)
            caf::anon_send(sink_, gone_atom::value, id, false);
        }
        return !leaving_.load();
      });
    } catch (const etcd::error& e) {
      log::warn("cluster", "member watch broke; resuming", {{"error", e.what()}});
    }
    sleep_for(retry_pause);
  }
  watch_done_ = true;
}

}  // namespace sg::cluster
