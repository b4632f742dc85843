#pragma once
// The jobs service's state, shared by its two halves: jobs_service.cpp (the
// actor and its schedules) and deliveries.cpp (webhooks and their
// deliveries). Internal to actors/jobs.
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/jobs/jobs_service.hpp"
#include "actors/jobs/schedules.hpp"
#include "actors/jobs/webhook_sender.hpp"

namespace sg {

inline constexpr auto store_timeout = std::chrono::seconds(10);
inline constexpr auto run_timeout = std::chrono::seconds(60);
inline constexpr auto send_timeout = std::chrono::seconds(30);  // the sender's own limit is 10 s a request

// The public interface, the directory's updates, its timer and its own
// "try this delivery now".
using jobs_impl = jobs_actor::extend<directory_update, caf::reacts_to<caf::tick_atom>,
                                     caf::reacts_to<deliver_atom, std::string>>;

struct jobs_state {
  jobs_settings settings;
  directory_actor directory;
  peer_set peers;
  webhook_sender_actor sender;
  std::vector<schedules::definition> schedules;
  std::map<std::string, int64_t> next_check_ms;  // schedule -> when to read its record again
  std::set<std::string> running;                 // schedules running here now
  std::set<std::string> attempting;              // deliveries being tried here now
  std::set<std::string> scheduled;               // deliveries with a retry timer set here
  int64_t next_adoption_ms = 0;
  static inline const char* name = "jobs";
};

using jobs_ptr = jobs_impl::stateful_pointer<jobs_state>;

inline ops_store_actor ops_of(jobs_ptr self) {
  return self->state.peers.get<service::ops_store>();
}

/// Reads a record of the ops store: its text, "" when absent.
void read_record(jobs_ptr self, const std::string& key, std::function<void(caf::expected<std::string>)> then);

// deliveries.cpp
caf::result<webhook> create_webhook(jobs_ptr self, const principal& who, const std::string& url,
                                    const std::vector<std::string>& events);
caf::result<std::vector<webhook>> list_webhooks(jobs_ptr self, const principal& who);
caf::result<caf::ok_atom> delete_webhook(jobs_ptr self, const principal& who, const std::string& id);
void on_event(jobs_ptr self, const webhook_event& e);
void attempt(jobs_ptr self, const std::string& delivery_id);
caf::result<std::vector<delivery>> list_deliveries(jobs_ptr self, const std::string& state);
caf::result<delivery> get_delivery(jobs_ptr self, const std::string& id);
/// retry: a dead letter becomes pending here, attempts starting over;
/// dismiss: a dead or pending one is put aside.
caf::result<delivery> settle_dead_letter(jobs_ptr self, const std::string& id, bool retry);
/// Takes up pending deliveries this member holds but is not trying (after a
/// restart) and those another member left overdue (it died).
void adopt_deliveries(jobs_ptr self);
/// The delivered and dismissed deliveries older than `age_ms` go; `done`
/// gets how many.
void prune_deliveries(jobs_ptr self, int64_t age_ms, std::function<void(caf::expected<uint64_t>)> done);

}  // namespace sg
