#include "actors/monitor/monitor.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/storage.hpp"

namespace sg {

namespace {

using monitor_impl = monitor_actor::extend<caf::reacts_to<caf::tick_atom>>;

struct monitor_state {
  std::string data_dir;
  process_sample latest;
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

monitor_impl::behavior_type monitor(monitor_impl::stateful_pointer<monitor_state> self,
                                    std::string data_dir, std::chrono::seconds interval) {
  self->state.data_dir = std::move(data_dir);
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
    [self, interval](caf::tick_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      self->state.latest = take_sample(self->state.data_dir);
      publish(self->state.latest);
      self->delayed_send(self, interval, caf::tick_atom::value);
    },
  };
}

}  // namespace

monitor_actor spawn_monitor(caf::actor_system& sys, std::string data_dir,
                            std::chrono::seconds interval) {
  return sys.spawn(monitor, std::move(data_dir), interval);
}

}  // namespace sg
