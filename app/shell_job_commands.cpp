// The admin shell's job commands: scheduled jobs, and the dead letters
// (failed transcodes and dead webhook deliveries) shown, retried, dismissed.
#include "app/shell_commands.hpp"

#include "messages/jobs_actor.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/video_json.hpp"

namespace sg::shell {

namespace {

// --- schedules ---------------------------------------------------------------

nlohmann::json schedule_json(const schedule_info& x) {
  return {{"name", x.name},     {"scope", x.scope},           {"every_s", x.every_ms / 1000},
          {"last_run", when(x.last_run_ms)}, {"next_run", when(x.next_run_ms)}, {"last_outcome", x.last_outcome},
          {"last_detail", x.last_detail}, {"last_node", x.last_node}};
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

caf::expected<output> schedule_run(session& s, const args_t& args) {
  if (args.size() != 1)
    return usage("schedule run NAME");
  auto jobs = typed<jobs_actor>(s, "jobs");
  if (!jobs)
    return jobs.error();
  auto ran = s.ask<schedule_info>(*jobs, schedule_atom::value, run_atom::value, args[0]);
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

caf::expected<output> jobs_dead(session& s, const args_t& args) {
  if (args.size() != 1 || args[0] != "dead")
    return usage("jobs dead");
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
    auto d = verb == "show"    ? s.ask<delivery>(*jobs, deliver_atom::value, caf::get_atom::value, id)
             : verb == "retry" ? s.ask<delivery>(*jobs, deliver_atom::value, retry_atom::value, id)
                               : s.ask<delivery>(*jobs, deliver_atom::value, dismiss_atom::value, id);
    if (!d)
      return d.error();
    return delivery_output(*d);
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

}  // namespace

std::vector<command> job_commands() {
  return {
    {"schedules", "", "scheduled jobs with their last and next runs", schedules},
    {"schedule run", "NAME", "run a scheduled job now", schedule_run},
    {"jobs", "dead", "dead letters: failed transcodes and dead webhook deliveries", jobs_dead},
    {"job show", "ID", "a transcode job or webhook delivery with its attempts",
     [](session& s, const args_t& a) { return job(s, "show", a); }},
    {"job retry", "ID", "try a dead letter again", [](session& s, const args_t& a) { return job(s, "retry", a); }},
    {"job dismiss", "ID", "put a dead letter aside", [](session& s, const args_t& a) { return job(s, "dismiss", a); }},
  };
}

}  // namespace sg::shell
