#pragma once
// jobs: the node's work that belongs to no request (docs/architecture.md
// §Jobs). Scheduled jobs (the sweeps) run every so often, once per cluster or
// on each node; webhooks turn what happened to a creator's videos into signed
// deliveries, retried with doubling backoff, then kept as dead letters until
// retried or dismissed.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/principal.hpp"

namespace sg {

/// A scheduled job and its last run (as the records say: on a cluster, the
/// member that ran it may be another).
struct schedule_info {
  std::string name;
  std::string summary;
  std::string scope;  // "cluster": one member runs it; "node": every node its own
  int64_t every_ms = 0;
  int64_t last_run_ms = 0;  // 0: never
  int64_t next_run_ms = 0;
  std::string last_outcome;  // "ok", "failed", or "" before the first run
  std::string last_detail;   // what it did, or why it failed
  std::string last_node;     // the member that ran it
  uint32_t failures = 0;     // failed runs in a row: retried with doubling backoff
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, schedule_info& x) {
  return f(caf::meta::type_name("schedule_info"), x.name, x.summary, x.scope, x.every_ms, x.last_run_ms,
           x.next_run_ms, x.last_outcome, x.last_detail, x.last_node, x.failures);
}

/// Something that happened to an owner's video: `upload.completed`,
/// `video.ready` or `video.failed`; `data` is the event's JSON object.
struct webhook_event {
  std::string type;
  std::string owner;
  std::string video_id;
  std::string data;
  int64_t at_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook_event& x) {
  return f(caf::meta::type_name("webhook_event"), x.type, x.owner, x.video_id, x.data, x.at_ms);
}

/// An owner's subscription: events POSTed to `url`, signed with `secret`.
struct webhook {
  std::string id;
  std::string owner;
  std::string url;
  std::vector<std::string> events;
  std::string secret;
  int64_t created_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, webhook& x) {
  return f(caf::meta::type_name("webhook"), x.id, x.owner, x.url, x.events, x.secret, x.created_ms);
}

/// One try at delivering.
struct delivery_attempt {
  int64_t at_ms = 0;
  std::string outcome;  // "HTTP 200", "HTTP 503", "connect: ..."
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_attempt& x) {
  return f(caf::meta::type_name("delivery_attempt"), x.at_ms, x.outcome);
}

/// One event on its way to one webhook: `pending` (tried again at
/// `next_ms`), `delivered`, `dead` (attempts spent: a dead letter) or
/// `dismissed`.
struct delivery {
  std::string id;
  std::string webhook_id;
  std::string owner;
  std::string url;
  std::string event;
  std::string body;
  std::string state = "pending";
  uint32_t attempts = 0;
  int64_t created_ms = 0;
  int64_t next_ms = 0;
  std::string node;  // the member that delivers it
  std::vector<delivery_attempt> history;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery& x) {
  return f(caf::meta::type_name("delivery"), x.id, x.webhook_id, x.owner, x.url, x.event, x.body, x.state,
           x.attempts, x.created_ms, x.next_ms, x.node, x.history);
}

using jobs_actor = caf::typed_actor<
  // The scheduled jobs with their last and next runs.
  caf::replies_to<schedule_atom, list_atom>::with<std::vector<schedule_info>>,
  // Runs one now (errc::not_found for an unknown name); answers its record after the run.
  caf::replies_to<schedule_atom, run_atom, std::string>::with<schedule_info>,
  // Delays: its next run moves to `at_ms` (unix ms), once, then the period
  // goes on from there.
  caf::replies_to<schedule_atom, run_atom, std::string, int64_t>::with<schedule_info>,
  // Something happened: a delivery for each of the owner's webhooks that wants it.
  caf::reacts_to<event_atom, webhook_event>,
  // A caller's webhooks: a new one (its url checked, its secret made), theirs, one gone.
  caf::replies_to<webhook_atom, create_atom, principal, std::string, std::vector<std::string>>::with<webhook>,
  caf::replies_to<webhook_atom, list_atom, principal>::with<std::vector<webhook>>,
  caf::replies_to<webhook_atom, caf::delete_atom, principal, std::string>::with<caf::ok_atom>,
  // Deliveries in a state ("dead": the dead letters), newest first.
  caf::replies_to<deliver_atom, list_atom, std::string>::with<std::vector<delivery>>,
  caf::replies_to<deliver_atom, caf::get_atom, std::string>::with<delivery>,
  // A dead letter tried again (attempts start over), or put aside.
  caf::replies_to<deliver_atom, retry_atom, std::string>::with<delivery>,
  caf::replies_to<deliver_atom, dismiss_atom, std::string>::with<delivery>>;

}  // namespace sg
