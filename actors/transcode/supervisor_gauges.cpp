// The supervisor's gauges for /metrics and the monitor's alert rules
// (docs/architecture.md §Alerts): queue, workers, pool ceiling, oldest wait.
#include <algorithm>

#include "actors/transcode/supervisor_state.hpp"
#include "runtime/metrics.hpp"

namespace sg::supervision {

void update_gauges(supervisor_state& st) {
  static auto& queued = metrics::global().get_gauge("streamgate_transcode_jobs_queued", "Jobs waiting for a worker");
  static auto& running = metrics::global().get_gauge("streamgate_transcode_jobs_running", "Jobs being encoded");
  static auto& pool = metrics::global().get_gauge("streamgate_transcode_pool_size", "Transcode worker processes alive");
  queued.set(static_cast<int64_t>(st.queue.size()));
  running.set(static_cast<int64_t>(std::count_if(st.workers.begin(), st.workers.end(),
                                                 [](const worker_slot& w) { return !w.job_id.empty(); })));
  pool.set(static_cast<int64_t>(st.workers.size()));
  // For the monitor's alert rules: the pool's ceiling, and since when the job
  // queued longest has been free to run (0: none queued).
  static auto& most = metrics::global().get_gauge("streamgate_transcode_pool_max", "Most transcode workers at once");
  static auto& oldest = metrics::global().get_gauge("streamgate_transcode_oldest_queued_ms",
                              "Unix ms since which the longest-waiting queued job could run (0: none)");
  most.set(st.settings.max_workers);
  int64_t since = 0;
  for (const auto& id : st.queue)
    if (auto it = st.jobs.find(id); it != st.jobs.end()) {
      auto ready = std::max(it->second.created_ms, it->second.not_before_ms);
      since = since == 0 ? ready : std::min(since, ready);
    }
  oldest.set(since);
}

}  // namespace sg::supervision
