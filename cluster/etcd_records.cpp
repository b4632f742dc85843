#include "cluster/etcd_records.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/log.hpp"

namespace sg::cluster {

namespace {

using namespace std::chrono_literals;

// A synced page stays well under etcd's 2 MiB request limit for our records.
constexpr int64_t sync_page = 500;
// A write waits this long for the watch to bring it into the local index.
constexpr auto applied_wait = 5s;

// etcd out of reach is the callers' "try again later".
template <class F>
auto guard(F&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const etcd::error& e) {
    throw log_unavailable(e.what());
  }
}

class etcd_records final : public record_log {
public:
  etcd_records(const records_settings& s, record_sink& index)
      : settings_(s), index_(index), writer_(s.etcd, s.tls), follower_(s.etcd, s.tls) {
    auto at = index_.position();
    if (at.origin != settings_.origin && at.origin.empty() && index_.holds_records())
      throw std::runtime_error(
        "the data directory holds a single node's records; a cluster member keeps its records in etcd "
        "and would drop them: give it a fresh --data-dir");
    if (at.origin != settings_.origin || at.revision == 0)
      copy_all(at.origin != settings_.origin);
    else
      applied_ = at.revision;
    log::info("metadata", "records follow etcd", {{"prefix", settings_.prefix}, {"revision", applied_.load()}});
    thread_ = std::thread([this] { follow(); });
  }

  ~etcd_records() override {
    stopping_ = true;
    moved_.notify_all();
    // A watch that starts after one cancel() would wait for its idle timeout.
    while (!done_) {
      follower_.cancel();
      std::this_thread::sleep_for(20ms);
    }
    thread_.join();
  }

  void begin() override { reads_.clear(); }

  std::optional<std::string> read(column table, const std::string& key) override {
    auto full = key_of(table, key);
    auto got = guard([&] { return writer_.get(full); });
    if (got.kvs.empty()) {
      reads_.push_back(etcd::unchanged{full, 0});
      return std::nullopt;
    }
    reads_.push_back(etcd::unchanged{full, got.kvs.front().mod_revision});
    return got.kvs.front().value;
  }

  bool member_alive(const std::string& member_id) override {
    auto full = settings_.members_prefix + member_id;
    auto got = guard([&] { return writer_.get(full); });
    reads_.push_back(etcd::unchanged{full, got.kvs.empty() ? 0 : got.kvs.front().mod_revision});
    return !got.kvs.empty();
  }

  bool commit(const std::vector<record_write>& writes) override {
    std::vector<etcd::write_op> ops;
    for (const auto& w : writes)
      ops.push_back({key_of(w.table, w.key), w.value});
    int64_t revision = 0;
    if (!guard([&] { return writer_.commit(reads_, ops, &revision); }))
      return false;
    wait_applied(revision);  // read-your-write on this node
    return true;
  }

private:
  std::string key_of(column table, const std::string& key) const {
    return settings_.prefix + record_column_name(table) + "/" + key;
  }

  // A key of the log as a record write; nothing for a key that is not ours.
  std::optional<record_write> write_of(const etcd::event& e) const {
    if (e.kv.key.compare(0, settings_.prefix.size(), settings_.prefix) != 0)
      return std::nullopt;
    auto rest = e.kv.key.substr(settings_.prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos)
      return std::nullopt;
    auto table = record_column_named(rest.substr(0, slash));
    if (!table)
      return std::nullopt;
    record_write w{*table, rest.substr(slash + 1), std::nullopt};
    if (!e.removed)
      w.value = e.kv.value;
    return w;
  }

  // The whole log at one revision, in pages. Over an index that follows
  // this log already (compacted past, or a copy cut short) the records are
  // written over what it holds and those gone are deleted at the end: reads
  // never see an empty index (a revoked token stays revoked throughout).
  void copy_all(bool fresh) {
    if (fresh)
      index_.reset(settings_.origin);
    int64_t revision = 0;
    std::string from = settings_.prefix;
    std::set<std::pair<column, std::string>> seen;
    for (;;) {
      auto page = follower_.get_page(settings_.prefix, from, sync_page, revision);
      if (revision == 0)
        revision = page.revision;
      std::vector<record_write> writes;
      for (const auto& kv : page.kvs)
        if (auto w = write_of({false, kv})) {
          seen.insert({w->table, w->key});
          writes.push_back(std::move(*w));
        }
      index_.apply(writes, 0);
      if (!page.more || page.kvs.empty())
        break;
      from = page.kvs.back().key + std::string(1, '\0');
    }
    index_.keep_only(seen, revision);
    set_applied(revision);
    log::info("metadata", "local index copied from etcd", {{"records", seen.size()}, {"revision", revision}});
  }

  void follow() {
    follow_until_stopped();
    done_ = true;
  }

  void follow_until_stopped() {
    while (!stopping_) {
      bool compacted = false;
      try {
        follower_.watch(settings_.prefix, applied_ + 1, [&](const etcd::watch_batch& b) {
          if (b.compact_revision > 0) {  // etcd cancels such a watch too
            compacted = true;
            return false;
          }
          if (stopping_ || b.canceled)
            return false;
          if (b.events.empty())
            return true;
          std::vector<record_write> writes;
          for (const auto& e : b.events)
            if (auto w = write_of(e))
              writes.push_back(std::move(*w));
          auto revision = b.events.back().kv.mod_revision;
          index_.apply(writes, revision);
          set_applied(revision);
          return true;
        });
        if (compacted && !stopping_) {
          log::warn("metadata", "etcd compacted the history this node needed; copying the records again");
          copy_all(false);
        } else {
          pause(100ms);  // the stream broke or idled out: watch again shortly
        }
      } catch (const std::exception& e) {
        if (!stopping_)
          log::warn("metadata", "following the records failed; retrying", {{"error", e.what()}});
        pause(200ms);
      }
    }
  }

  void pause(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock{mutex_};
    moved_.wait_for(lock, d, [this] { return stopping_.load(); });
  }

  void set_applied(int64_t revision) {
    {
      std::lock_guard<std::mutex> lock{mutex_};
      applied_ = revision;
    }
    moved_.notify_all();
  }

  void wait_applied(int64_t revision) {
    std::unique_lock<std::mutex> lock{mutex_};
    if (!moved_.wait_for(lock, applied_wait, [&] { return applied_ >= revision || stopping_; }))
      log::warn("metadata", "a committed write is not in the local index yet",
                {{"revision", revision}, {"applied", applied_.load()}});
  }

  records_settings settings_;
  record_sink& index_;
  etcd::client writer_;    // the metadata store's thread: reads and commits
  etcd::client follower_;  // the follower thread: copies and the watch
  std::vector<etcd::unchanged> reads_;
  std::atomic<int64_t> applied_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> done_{false};  // the follower thread has left its loop
  std::mutex mutex_;
  std::condition_variable moved_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<record_log> open_etcd_records(const records_settings& settings, record_sink& index) {
  try {
    return std::make_unique<etcd_records>(settings, index);
  } catch (const etcd::error& e) {
    throw std::runtime_error(std::string{"the cluster's records cannot be read from etcd: "} + e.what());
  }
}

}  // namespace sg::cluster
