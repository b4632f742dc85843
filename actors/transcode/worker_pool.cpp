// The worker pool's bounds, as the admin shell sees and sets them
// (`pool transcode [min N max M]`), and its shrinking: idle workers above the
// minimum stop after --transcode-worker-idle, those above the maximum at once.
// docs/architecture.md §Transcoding.
#include <algorithm>

#include "actors/transcode/supervisor_state.hpp"
#include "messages/errors.hpp"
#include "runtime/log.hpp"

namespace sg::supervision {

namespace {

constexpr int32_t most_workers = 256;  // a typo's ceiling, not a machine's

}  // namespace

pool_status pool_of(const supervisor_state& st) {
  pool_status p;
  p.min_workers = st.settings.min_workers;
  p.max_workers = st.settings.max_workers;
  p.workers = static_cast<int32_t>(st.workers.size());
  p.busy = static_cast<int32_t>(std::count_if(st.workers.begin(), st.workers.end(),
                                              [](const worker_slot& w) { return !w.job_id.empty(); }));
  p.launching = st.launching;
  p.queued = static_cast<int32_t>(st.queue.size());
  return p;
}

caf::result<pool_status> resize_pool(supervisor_ptr self, const pool_bounds& b) {
  if (b.min_workers < 0 || b.max_workers < 1 || b.min_workers > b.max_workers || b.max_workers > most_workers)
    return make_error(errc::bad_request, "the pool needs 0 <= min <= max, 1 <= max <= " + std::to_string(most_workers));
  auto& st = self->state;
  log::info("transcode", "worker pool resized",
            {{"min", b.min_workers}, {"max", b.max_workers}, {"was_min", st.settings.min_workers},
             {"was_max", st.settings.max_workers}});
  st.settings.min_workers = b.min_workers;
  st.settings.max_workers = b.max_workers;
  shrink(self);
  dispatch(self);  // the new minimum starts, queued jobs get the new room
  return pool_of(st);
}

void shrink(supervisor_ptr self) {
  auto& st = self->state;
  auto now = clock_ms(self);
  for (auto it = st.workers.begin(); it != st.workers.end();) {
    auto count = static_cast<int>(st.workers.size());
    bool idle = it->job_id.empty();
    bool surplus = count > st.settings.min_workers && now - it->idle_since_ms > st.settings.worker_idle_s * 1000LL;
    if (idle && (surplus || count > st.settings.max_workers)) {
      self->demonitor(it->host.address());
      self->send_exit(it->host, caf::exit_reason::user_shutdown);
      it = st.workers.erase(it);
    } else {
      ++it;
    }
  }
  update_gauges(st);
}

}  // namespace sg::supervision
