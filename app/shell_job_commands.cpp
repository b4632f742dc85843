// The admin shell's job commands: scheduled jobs, and the dead letters
// (failed transcodes and dead webhook deliveries) shown, retried, dismissed.
#include "app/shell_commands.hpp"

#include "messages/jobs_actor.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/states.hpp"
#include "messages/video_json.hpp"
#include "runtime/clock.hpp"
#include "runtime/text.hpp"

namespace sg::shell {

namespace {

// --- schedules ---------------------------------------------------------------

nlohmann::json schedule_json(const schedule_info& x) {
  return {{"name", x.name},     {"scope", x.scope},           {"every_s", x.every_ms / 1000},
          {"last_run", when(x.last_run_ms)}, {"next_run", when(x.next_run_ms)}, {"last_outcome", x.last_outcome},
          {"last_detail", x.last_detail}, {"last_node", x.last_node}, {"failures", x.failures}};
}

output schedule_output(const std::vector<schedule_info>& list) {
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : list) {
    out.json.push_back(schedule_json(x));
    rows.push_back({x.name, x.scope, std::to_string(x.every_ms / 1000) + " s", when(x.last_run_ms),
                    when(x.next_run_ms), x.last_outcome.empty() ? "-" : x.last_outcome, x.last_detail});
  }
  out.text = table({"SCHEDULE", "SCOPE", "EVERY", "LAST RUN", "NEXT RUN", "OUTCOME", "DETAIL"}, rows);
  return out;
}

caf::expected<output> schedules(session& s, const args_t&) {
  auto jobs = typed<jobs_actor>(s, "jobs");
  if (!jobs)
    return jobs.error();
  auto list = s.ask<std::vector<schedule_info>>(*jobs, schedule_atom::value, list_atom::value);
  if (!list)
    return list.error();
  return schedule_output(*list);
}

// `schedule run NAME [--at 2026-12-01T10:00:00Z | --in 10m]`: now, or later.
caf::expected<output> schedule_run(session& s, const args_t& args) {
  const char* form = "schedule run NAME [--at 2026-12-01T10:00:00Z | --in 10m]";
  if (args.size() != 1 && args.size() != 3)
    return usage(form);
  std::optional<int64_t> at = 0;
  if (args.size() == 3 && args[1] == "--at") {
    at = parse_rfc3339_ms(args[2]);
  } else if (args.size() == 3 && args[1] == "--in") {
    auto in = text::parse_duration_ms(args[2]);
    at = in ? std::optional<int64_t>{now_ms() + *in} : std::nullopt;
  } else if (args.size() == 3) {
    return usage(form);
  }
  if (!at)
    return make_error(errc::bad_request, "--at takes an RFC 3339 time (2026-12-01T10:00:00Z), --in a duration (90s, 10m, 2h, 1d)");
  auto jobs = typed<jobs_actor>(s, "jobs");
  if (!jobs)
    return jobs.error();
  auto ran = *at == 0 ? s.ask<schedule_info>(*jobs, schedule_atom::value, run_atom::value, args[0])
                      : s.ask<schedule_info>(*jobs, schedule_atom::value, run_atom::value, args[0], *at);
  if (!ran)
    return ran.error();
  auto out = schedule_output({*ran});
  out.json = out.json.at(0);
  return out;
}

// --- jobs and their dead letters -------------------------------------------

nlohmann::json delivery_json(const delivery& d) {
  auto history = nlohmann::json::array();
  for (const auto& a : d.history)
    history.push_back({{"at", when(a.at_ms)}, {"outcome", a.outcome}});
  return {{"id", d.id},       {"kind", "webhook"}, {"event", d.event}, {"url", d.url}, {"state", d.state},
          {"attempts", d.attempts}, {"created", when(d.created_ms)}, {"history", history}};
}

nlohmann::json job_json(const job_info& j) {
  nlohmann::json out = j;
  out["kind"] = "transcode";
  return out;
}

// `jobs [STATE]`: the transcode jobs in a state (default: queued and running).
caf::expected<output> jobs_in(session& s, const args_t& args) {
  std::vector<job_state> states{job_state::queued, job_state::running};
  if (args.size() > 1)
    return usage("jobs [queued|running|succeeded|failed|cancelled|dead]");
  if (args.size() == 1) {
    auto state = parse_state<job_state>(args[0]);
    if (!state)
      return make_error(errc::bad_request, "a job state is queued, running, succeeded, failed or cancelled (or: jobs dead)");
    states = {*state};
  }
  auto store = typed<job_store_actor>(s, "job_store");
  if (!store)
    return store.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (auto state : states) {
    auto list = s.ask<std::vector<job_info>>(*store, list_atom::value, job_atom::value, state);
    if (!list)
      return list.error();
    for (const auto& j : *list) {
      out.json.push_back(job_json(j));
      rows.push_back({j.id, to_string(j.state), j.video_id, j.node.empty() ? "-" : j.node,
                      std::to_string(static_cast<int>(j.progress * 100)) + " %", std::to_string(j.attempts),
                      when(j.updated_ms)});
    }
  }
  out.text = rows.empty() ? "no jobs\n" : table({"ID", "STATE", "VIDEO", "NODE", "DONE", "ATTEMPTS", "UPDATED"}, rows);
  return out;
}

caf::expected<output> dead_letters(session& s) {
  auto store = typed<job_store_actor>(s, "job_store");
  auto jobs = typed<jobs_actor>(s, "jobs");
  if (!store || !jobs)
    return store ? jobs.error() : store.error();
  auto failed = s.ask<std::vector<job_info>>(*store, list_atom::value, job_atom::value, job_state::failed);
  auto dead = s.ask<std::vector<delivery>>(*jobs, deliver_atom::value, list_atom::value, std::string{"dead"});
  if (!failed || !dead)
    return failed ? dead.error() : failed.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : *failed) {
    out.json.push_back(job_json(j));
    rows.push_back({j.id, "transcode", "video " + j.video_id, std::to_string(j.attempts), when(j.updated_ms), j.error});
  }
  for (const auto& d : *dead) {
    out.json.push_back(delivery_json(d));
    rows.push_back({d.id, "webhook", d.event + " -> " + d.url, std::to_string(d.attempts), when(d.created_ms),
                    d.history.empty() ? "" : d.history.back().outcome});
  }
  out.text = rows.empty() ? "no dead letters\n" : table({"ID", "KIND", "WHAT", "ATTEMPTS", "WHEN", "LAST ERROR"}, rows);
  return out;
}

caf::expected<output> list_jobs(session& s, const args_t& args) {
  return args.size() == 1 && args[0] == "dead" ? dead_letters(s) : jobs_in(s, args);
}

output job_output(const job_info& j) {
  output out{job_json(j), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : j.history)
    rows.push_back({when(a.started_ms), when(a.ended_ms), a.node, a.outcome});
  out.text = "job " + j.id + " (video " + j.video_id + "): " + to_string(j.state) + (j.dismissed ? ", dismissed" : "") +
             ", " + std::to_string(j.attempts) + " attempts\n" +
             (rows.empty() ? std::string{} : table({"STARTED", "ENDED", "NODE", "OUTCOME"}, rows));
  return out;
}

output delivery_output(const delivery& d) {
  output out{delivery_json(d), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : d.history)
    rows.push_back({when(a.at_ms), a.outcome});
  out.text = "delivery " + d.id + " (" + d.event + " -> " + d.url + "): " + d.state + ", " +
             std::to_string(d.attempts) + " attempts\n" + (rows.empty() ? std::string{} : table({"AT", "OUTCOME"}, rows));
  return out;
}

// `job show|retry|dismiss ID`: a webhook delivery (dlv_...) or a transcode job.
caf::expected<output> job(session& s, const std::string& verb, const args_t& args) {
  if (args.size() != 1)
    return usage("job " + verb + " ID");
  const auto& id = args[0];
  if (id.rfind("dlv_", 0) == 0) {
    auto jobs = typed<jobs_actor>(s, "jobs");
    if (!jobs)
      return jobs.error();
    // A delivery is cancelled by putting it aside: it is not tried again.
    auto d = verb == "show"    ? s.ask<delivery>(*jobs, deliver_atom::value, caf::get_atom::value, id)
             : verb == "retry" ? s.ask<delivery>(*jobs, deliver_atom::value, retry_atom::value, id)
                               : s.ask<delivery>(*jobs, deliver_atom::value, dismiss_atom::value, id);  // dismiss, cancel
    if (!d)
      return d.error();
    return delivery_output(*d);
  }
  if (verb == "cancel") {
    auto transcoder = typed<transcode_actor>(s, "transcoder");
    if (!transcoder)
      return transcoder.error();
    auto j = s.ask<job_info>(*transcoder, cancel_atom::value, id);
    if (!j)
      return j.error();
    return job_output(*j);
  }
  auto store = typed<job_store_actor>(s, "job_store");
  if (!store)
    return store.error();
  auto j = verb == "show"    ? s.ask<job_info>(*store, caf::get_atom::value, job_atom::value, id)
           : verb == "retry" ? s.ask<job_info>(*store, retry_atom::value, job_atom::value, id)
                             : s.ask<job_info>(*store, dismiss_atom::value, job_atom::value, id);
  if (!j)
    return j.error();
  if (verb == "retry")
    if (auto transcoder = typed<transcode_actor>(s, "transcoder"))
      s.self->send(*transcoder, kick_atom::value, j->id);
  return job_output(*j);
}

// For Tab: the ids `job show|retry|cancel|dismiss` would take.
std::vector<std::string> job_ids(session& s) {
  std::vector<std::string> out;
  if (auto store = typed<job_store_actor>(s, "job_store"))
    for (auto state : {job_state::queued, job_state::running, job_state::failed})
      if (auto list = s.ask<std::vector<job_info>>(*store, list_atom::value, job_atom::value, state))
        for (const auto& j : *list)
          out.push_back(j.id);
  if (auto jobs = typed<jobs_actor>(s, "jobs"))
    if (auto dead = s.ask<std::vector<delivery>>(*jobs, deliver_atom::value, list_atom::value, std::string{"dead"}))
      for (const auto& d : *dead)
        out.push_back(d.id);
  return out;
}

std::vector<std::string> schedule_names(session& s) {
  std::vector<std::string> out;
  if (auto jobs = typed<jobs_actor>(s, "jobs"))
    if (auto list = s.ask<std::vector<schedule_info>>(*jobs, schedule_atom::value, list_atom::value))
      for (const auto& x : *list)
        out.push_back(x.name);
  return out;
}

}  // namespace

std::vector<command> job_commands() {
  return {
    {"schedules", "", "scheduled jobs with their last and next runs", schedules},
    {"schedule run", "NAME [--at TIME | --in 10m]", "run a scheduled job now, or move its next run", schedule_run,
     schedule_names},
    {"jobs", "[STATE | dead]",
     "transcode jobs in a state (default: queued and running); dead: failed transcodes and dead webhook deliveries",
     list_jobs},
    {"job show", "ID", "a transcode job or webhook delivery with its attempts",
     [](session& s, const args_t& a) { return job(s, "show", a); }, job_ids},
    {"job cancel", "ID", "stop a queued or running transcode (a delivery: put it aside)",
     [](session& s, const args_t& a) { return job(s, "cancel", a); }, job_ids},
    {"job retry", "ID", "try a dead letter again", [](session& s, const args_t& a) { return job(s, "retry", a); }, job_ids},
    {"job dismiss", "ID", "put a dead letter aside", [](session& s, const args_t& a) { return job(s, "dismiss", a); }, job_ids},
  };
}

}  // namespace sg::shell
