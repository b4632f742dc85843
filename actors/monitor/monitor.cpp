#include "actors/monitor/monitor.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <deque>
#include <fstream>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/monitor/alert_rules.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/storage.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

using monitor_impl = monitor_actor::extend<caf::reacts_to<caf::tick_atom>>;

constexpr int64_t failure_window_ms = 5 * 60'000;

struct monitor_state {
  std::string data_dir;
  process_sample latest;
  std::vector<alert_rule> rules;
  alert_book alerts;
  std::deque<std::pair<int64_t, double>> failures_seen;  // (when, failed-jobs counter), last 5 minutes
  static inline const char* name = "monitor";
};

process_sample take_sample(const std::string& data_dir) {
  process_sample s;
  std::ifstream statm{"/proc/self/statm"};
  uint64_t pages = 0;
  uint64_t resident = 0;
  if (statm >> pages >> resident)
    s.resident_bytes = resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  rusage use{};
  ::getrusage(RUSAGE_SELF, &use);
  s.cpu_ms = static_cast<uint64_t>(use.ru_utime.tv_sec + use.ru_stime.tv_sec) * 1000 +
             static_cast<uint64_t>(use.ru_utime.tv_usec + use.ru_stime.tv_usec) / 1000;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++s.open_files;
  s.data_free_bytes = free_bytes(data_dir);
  return s;
}

void publish(const process_sample& s) {
  auto& m = metrics::global();
  static auto& rss = m.get_gauge("streamgate_process_resident_bytes", "Resident memory of the node");
  static auto& cpu = m.get_gauge("streamgate_process_cpu_milliseconds", "CPU time the node used");
  static auto& fds = m.get_gauge("streamgate_process_open_files", "Open file descriptors");
  static auto& disk = m.get_gauge("streamgate_data_free_bytes", "Free bytes on the data directory's disk");
  rss.set(static_cast<int64_t>(s.resident_bytes));
  cpu.set(static_cast<int64_t>(s.cpu_ms));
  fds.set(static_cast<int64_t>(s.open_files));
  disk.set(static_cast<int64_t>(std::min<uint64_t>(s.data_free_bytes, INT64_MAX)));
}

// The signals come from the registry the other actors already publish to
// (names are the /metrics contract); an actor this node does not run leaves
// its signals absent.
alert_signals gather(monitor_state& st, int64_t now) {
  const auto& m = metrics::global();
  alert_signals s;
  s.now_ms = now;
  s.data_free_bytes = static_cast<double>(st.latest.data_free_bytes);
  if (auto workers = m.value("streamgate_transcode_pool_max")) {
    auto failed = m.value("streamgate_transcode_jobs_failed_total").value_or(0);
    auto& seen = st.failures_seen;
    seen.emplace_back(now, failed);
    while (seen.size() > 1 && now - seen.front().first > failure_window_ms)
      seen.pop_front();
    s.transcode_failures = failed - seen.front().second;
    s.queued_per_worker = m.value("streamgate_transcode_jobs_queued").value_or(0) / std::max(*workers, 1.0);
    auto oldest = m.value("streamgate_transcode_oldest_queued_ms").value_or(0);
    s.oldest_queued_s = oldest > 0 ? std::max(0.0, (static_cast<double>(now) - oldest) / 1000) : 0;
  }
  s.rpc_circuits_open = m.value("streamgate_nft_rpc_circuits_open");
  if (auto answered = m.value("streamgate_etcd_last_answer_ms"))
    s.etcd_silent_s = std::max(0.0, (static_cast<double>(now) - *answered) / 1000);
  s.members_down = m.value("streamgate_cluster_members_down");
  return s;
}

void evaluate_alerts(monitor_state& st) {
  st.alerts.evaluate(st.rules, gather(st, now_ms()));
  for (const auto& rule : st.rules)
    if (rule.enabled)
      metrics::global()
        .get_gauge("streamgate_alert_firing", "1 while the alert fires on this node", {{"name", rule.name}})
        .set(st.alerts.firing(rule.name) ? 1 : 0);
}

// The exposition text, only the families under `prefix` (their # HELP and
// # TYPE lines and samples all start with the family name after the tag).
std::string metrics_text(const std::string& prefix) {
  auto all = metrics::global().render();
  if (prefix.empty())
    return all;
  std::istringstream in{all};
  std::string out;
  for (std::string line; std::getline(in, line);) {
    auto name = line.rfind("# ", 0) == 0 ? line.substr(line.find(' ', 2) + 1) : line;
    if (name.rfind(prefix, 0) == 0)
      out += line + "\n";
  }
  return out;
}

monitor_impl::behavior_type monitor(monitor_impl::stateful_pointer<monitor_state> self,
                                    std::string data_dir, std::chrono::seconds interval,
                                    std::vector<alert_rule> rules) {
  self->state.data_dir = std::move(data_dir);
  self->state.rules = std::move(rules);
  self->send(self, caf::tick_atom::value);
  return {
    [self](caf::get_atom) { return self->state.latest; },
    [](logs_atom, const log_query& q) -> caf::result<log_lines> {
      log::recent_query rq;
      if (!log::level_named(q.min_level, &rq.min_level))
        return make_error(errc::bad_request, "level is one of debug, info, warn, error");
      rq.component = q.component;
      rq.since_ms = q.since_ms;
      rq.limit = std::min<uint32_t>(q.limit, 10000);
      log_lines out;
      for (auto& line : log::recent(rq))
        out.lines.push_back(std::move(line.json));
      return out;
    },
    [self](alerts_atom) { return alert_list{self->state.alerts.list()}; },
    [](caf::get_atom, const std::string& prefix) { return metrics_text(prefix); },
    [self, interval](caf::tick_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      self->state.latest = take_sample(self->state.data_dir);
      publish(self->state.latest);
      evaluate_alerts(self->state);
      self->delayed_send(self, interval, caf::tick_atom::value);
    },
  };
}

}  // namespace

caf::expected<monitor_actor> spawn_monitor(caf::actor_system& sys, std::string data_dir,
                                          std::chrono::seconds interval,
                                          const std::vector<std::string>& alert_overrides) {
  auto rules = default_alert_rules();
  for (const auto& spec : alert_overrides)
    if (auto why = override_alert_rule(rules, spec); !why.empty())
      return make_error(errc::bad_request, why);
  return actor_stats::spawn(sys, "monitor", monitor, std::move(data_dir), interval, std::move(rules));
}

}  // namespace sg
