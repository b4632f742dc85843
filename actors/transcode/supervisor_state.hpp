#pragma once
// The transcode supervisor's state and the functions its two files share:
// transcode_supervisor.cpp runs the pool and the jobs, job_claims.cpp claims
// jobs on a cluster, takes over orphans and lets go of fenced ones
// (docs/architecture.md §Transcoding, §Jobs on a cluster). Internal to
// actors/transcode.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/directory.hpp"
#include "messages/transcode_actor.hpp"
#include "runtime/config.hpp"

namespace sg::supervision {

inline constexpr auto store_timeout = std::chrono::seconds(10);
inline constexpr auto poll_timeout = std::chrono::seconds(2);
inline constexpr auto cancel_timeout = std::chrono::seconds(30);  // another member's encoder stops
inline constexpr int64_t orphan_scan_ms = 2000;  // on a cluster: how often jobs of gone members are looked for

struct worker_slot {
  worker_host_actor host;
  std::string job_id;  // empty: idle
  int64_t idle_since_ms = 0;
  int64_t started_ms = 0;  // of its current job's attempt
};

// The public interface, the directory's updates and the supervisor's timer.
using supervisor_actor = transcode_actor::extend<directory_update, caf::reacts_to<caf::tick_atom>>;

struct supervisor_state {
  transcode_settings settings;
  directory_actor directory;
  peer_set peers;
  bool adopted = false;  // the stored jobs are read once a job store is known
  worker_launcher_actor launcher;
  std::vector<worker_slot> workers;
  int launching = 0;            // worker processes being started
  uint32_t launch_failures = 0;  // in a row: launches back off
  int64_t next_launch_ms = 0;
  std::map<std::string, job_info> jobs;  // active jobs by id
  std::map<std::string, double> stored_progress;
  std::deque<std::string> queue;         // queued job ids, oldest first
  std::map<std::string, std::vector<caf::typed_response_promise<job_info>>> cancelling;
  // On a cluster (settings.node_id set): the members holding a lease, once
  // the cluster service has said, and when to look for orphaned jobs next.
  std::vector<std::string> live;
  bool members_known = false;
  int64_t next_scan_ms = 0;
  static inline const char* name = "transcode_supervisor";

  bool clustered() const { return !settings.node_id.empty(); }

  ~supervisor_state() {
    for (auto& w : workers)
      caf::anon_send_exit(w.host, caf::exit_reason::user_shutdown);  // its process ends
  }

  worker_slot* slot_of(const std::string& job_id) {
    auto it = std::find_if(workers.begin(), workers.end(),
                           [&](const worker_slot& w) { return w.job_id == job_id; });
    return it == workers.end() ? nullptr : &*it;
  }
};

using supervisor_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

// Backoff and idle times follow the actor clock (a test drives it), not the
// wall clock the records carry.
int64_t clock_ms(supervisor_ptr self);
job_store_actor store_of(supervisor_ptr self);
void update_gauges(supervisor_state& st);
video_state state_of(const job_info& j, video_status status);
/// Stores the job and its video's processing state together.
void persist(supervisor_ptr self, const job_info& j, video_state s);
/// Starts queued jobs on idle workers and grows the pool with the queue.
void dispatch(supervisor_ptr self);

// job_claims.cpp
/// Takes active jobs from the store (claimed first on a cluster).
void adopt(supervisor_ptr self, const std::vector<job_info>& stored);
/// On a cluster: claims jobs no live member holds, while there is room.
void adopt_orphans(supervisor_ptr self);
/// Another member holds the job now: its worker stops, nothing more is written.
void lose_claim(supervisor_ptr self, const std::string& job_id, const std::string& why);
/// The worker `host` is done with `job_id`, no longer this supervisor's.
void release_slot(supervisor_ptr self, const worker_host_actor& host, const std::string& job_id);
/// A job that has not started ends here, stored as cancelled.
job_info cancel_queued(supervisor_ptr self, const std::string& job_id);
/// Cancels a job here or where it runs: for its owner, or (no principal) for
/// an operator.
caf::result<job_info> cancel_job(supervisor_ptr self, const std::optional<principal>& who, const std::string& job_id);

// worker_pool.cpp
pool_status pool_of(const supervisor_state& st);
/// New bounds, at once: idle workers above the maximum stop, the minimum starts.
caf::result<pool_status> resize_pool(supervisor_ptr self, const pool_bounds& b);
/// Idle workers above the minimum stop after their idle time, above the
/// maximum at once; their processes end with them.
void shrink(supervisor_ptr self);

}  // namespace sg::supervision
