#pragma once
// This node's membership in etcd (docs/architecture.md §Cluster membership):
// its record under a lease kept alive every TTL/3, and a watch over every
// member's record. Two threads of its own, since every etcd call blocks; what
// they learn goes to the cluster service as messages:
//   (member_atom, member_record, problem)  a member appeared or changed;
//                                          problem names another cluster
//   (gone_atom, id, left)                  its record went: `left` when it said
//                                          so first, else its lease expired
//   (lease_atom, alive)                    a keepalive reached etcd, or did not
// A lease found gone (the node was paused or cut off longer than the TTL) is
// replaced by a new one and the record written again: the node rejoins.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <caf/actor.hpp>

#include "cluster/etcd.hpp"
#include "messages/cluster_actor.hpp"

namespace sg::cluster {

struct membership_settings {
  std::vector<std::string> endpoints;
  etcd::tls_files tls;
  std::string prefix;  // e.g. /streamgate/<cluster>/members/
  int ttl_s = 2;
  std::string certs_dir;  // for the identity probe of the cluster service
};

class membership {
public:
  membership(membership_settings settings, member_record self, caf::actor sink);
  ~membership();  // leaves (revokes the lease) if still a member

  void start();
  /// Marks the record as leaving, revokes the lease (peers see the record go
/// at once, and know it was not lost) and ends both threads.
  void leave();

private:
  void keep_alive_loop();
  void watch_loop();
  bool sleep_for(std::chrono::milliseconds d);  // false when leaving
  void seen(const etcd::key_value& kv);

  membership_settings settings_;
  member_record self_;
  std::string self_json_;
  caf::actor sink_;
  etcd::client keeper_, watcher_;
  std::atomic<bool> leaving_{false};
  std::atomic<bool> watch_done_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread keep_alive_thread_, watch_thread_;
  std::set<std::string> known_;  // member ids seen, to tell which went while the watch was down
};

/// The record as stored in etcd, and back (nullopt when malformed).
std::string to_json(const member_record& r);
std::optional<member_record> member_from_json(const std::string& text);

}  // namespace sg::cluster
