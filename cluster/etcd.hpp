#pragma once
// A client of etcd 3.4's JSON gateway (v3 KV, txn, lease and watch over
// HTTP/1.1): the cluster's membership, ownership and records ride on it.
// Calls block; use one client per thread (a watch holds its connection).
// A call that cannot reach a member tries the next endpoint; one that none
// answers throws etcd::error. docs/architecture.md §Cluster membership.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sg::etcd {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct key_value {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;
};

struct range_result {
  int64_t revision = 0;  // the store's revision when it answered
  std::vector<key_value> kvs;
  bool more = false;  // a limited range left keys out
};

/// One write of a transaction: a put, or a delete when `value` is empty.
struct write_op {
  std::string key;
  std::optional<std::string> value;
};

/// A transaction's condition: the key's mod_revision is still this (0: the
/// key does not exist).
struct unchanged {
  std::string key;
  int64_t mod_revision = 0;
};

struct event {
  bool removed = false;  // a DELETE (or lease expiry); otherwise a PUT
  key_value kv;
};

/// One message of a watch stream.
struct watch_batch {
  int64_t revision = 0;
  bool canceled = false;
  int64_t compact_revision = 0;  // > 0: history before it is gone, resync
  std::vector<event> events;
};

struct tls_files {
  std::string cacert, cert, key;  // all empty: plain HTTP
};

/// The JSON the gateway speaks, apart from the transport so that its traps
/// (base64 bytes, int64 as strings, a failed txn without "succeeded", PUT
/// events without "type") are unit-tested.
namespace wire {
std::string prefix_end(const std::string& prefix);
int64_t int64_of(const nlohmann::json& j, const char* field);
nlohmann::json put(const std::string& key, const std::string& value, int64_t lease);
nlohmann::json range(const std::string& key, const std::string& range_end);
/// Succeeds when the key does not exist (create_revision 0).
nlohmann::json create(const std::string& key, const std::string& value, int64_t lease);
/// Succeeds when the key is unchanged since `mod_revision`.
nlohmann::json swap(const std::string& key, const std::string& value, int64_t mod_revision, int64_t lease);
nlohmann::json erase(const std::string& key, int64_t mod_revision);
nlohmann::json txn(const std::vector<unchanged>& conditions, const std::vector<write_op>& writes);
/// Up to `limit` keys of [key, range_end) as of `revision` (0: now), in key order.
nlohmann::json range_page(const std::string& key, const std::string& range_end, int64_t limit,
                          int64_t revision);
nlohmann::json watch(const std::string& key, const std::string& range_end, int64_t start_revision);
key_value parse_kv(const nlohmann::json& kv);
range_result parse_range(const nlohmann::json& body);
bool parse_txn(const nlohmann::json& body, int64_t* revision);
watch_batch parse_watch(const nlohmann::json& message);
}  // namespace wire

class client {
public:
  /// `endpoints`: http(s)://host:port URLs of the members.
  explicit client(std::vector<std::string> endpoints, tls_files tls = {},
                  std::chrono::milliseconds timeout = std::chrono::milliseconds{3000});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Returns the revision of the write.
  int64_t put(const std::string& key, const std::string& value, int64_t lease = 0);
  range_result get(const std::string& key);
  range_result get_prefix(const std::string& prefix);
  /// Up to `limit` keys from `from` (inclusive) to the end of `prefix`, as of
  /// `revision` (0: now); `more` says whether keys are left.
  range_result get_page(const std::string& prefix, const std::string& from, int64_t limit, int64_t revision);
  /// Applies every write at once when every condition holds; false (nothing
  /// written) when one does not. `revision` gets the txn's.
  bool commit(const std::vector<unchanged>& conditions, const std::vector<write_op>& writes,
              int64_t* revision = nullptr);
  /// Create-if-absent; false when the key exists. `revision` gets the txn's.
  bool create(const std::string& key, const std::string& value, int64_t lease = 0,
              int64_t* revision = nullptr);
  /// Compare-and-swap on the key's mod_revision; false when it moved on.
  bool swap(const std::string& key, const std::string& value, int64_t mod_revision, int64_t lease = 0);
  /// Deletes when the key's mod_revision is still `mod_revision`.
  bool erase(const std::string& key, int64_t mod_revision);

  /// A lease of `ttl_s` seconds (etcd may grant more; see granted_ttl).
  int64_t grant(int ttl_s, int* granted_ttl = nullptr);
  /// The lease's remaining TTL after the refresh; 0 when it is gone.
  int64_t keep_alive(int64_t lease);
  void revoke(int64_t lease);

  /// Streams the prefix's changes from `start_revision` and calls `on_batch`
  /// for each message until it returns false, cancel() is called, or the
  /// stream breaks (its member died, or nothing came for `idle`): the caller
  /// then watches again from the last revision it saw + 1.
  void watch(const std::string& prefix, int64_t start_revision,
             const std::function<bool(const watch_batch&)>& on_batch,
             std::chrono::seconds idle = std::chrono::seconds{60});
  /// Ends a watch blocked in another thread.
  void cancel();

  /// The endpoint the last call went to.
  std::string endpoint() const;

private:
  nlohmann::json call(const std::string& path, const nlohmann::json& body);
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sg::etcd
