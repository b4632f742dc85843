#include "runtime/actor_stats.hpp"

#include <map>
#include <mutex>

namespace sg::actor_stats {

series& series_for(const std::string& name) {
  static std::mutex mtx;
  static std::map<std::string, std::unique_ptr<series>> all;
  std::lock_guard<std::mutex> guard{mtx};
  auto& slot = all[name];
  if (!slot) {
    auto& reg = metrics::global();
    metrics::labels ls{{"actor", name}};
    slot.reset(new series{
      reg.get_gauge("streamgate_actor_instances", "Running actors of this name", ls),
      reg.get_gauge("streamgate_actor_mailbox", "Messages waiting in (or being handled from) their mailboxes", ls),
      reg.get_counter("streamgate_actor_messages_total", "Messages their behaviors handled", ls)});
  }
  return *slot;
}

}  // namespace sg::actor_stats
