#include "app/shell_commands.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "messages/cache_actor.hpp"
#include "messages/cluster_actor.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/monitor_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/video_json.hpp"
#include "runtime/clock.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/text.hpp"

namespace sg::shell {

namespace {

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// --- alerts, logs ----------------------------------------------------------

caf::expected<output> alerts(session& s, const args_t&) {
  auto monitor = typed<monitor_actor>(s, "monitor");
  if (!monitor)
    return monitor.error();
  auto list = s.ask<alert_list>(*monitor, alerts_atom::value);
  if (!list)
    return list.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : list->alerts) {
    out.json.push_back({{"name", a.name}, {"state", a.state}, {"since", when(a.since_ms)}, {"until", when(a.until_ms)},
                        {"value", a.value}, {"threshold", a.threshold}, {"summary", a.summary}});
    rows.push_back({a.name, a.state, when(a.since_ms), number(a.value), number(a.threshold), a.summary});
  }
  out.text = rows.empty() ? "no alerts\n" : table({"ALERT", "STATE", "SINCE", "VALUE", "THRESHOLD", "WATCHES"}, rows);
  return out;
}

// `--since 5m` and the like: a duration back from now.
std::optional<int64_t> since(const std::string& text) {
  auto back = text::parse_duration_ms(text);
  return back ? std::optional<int64_t>{now_ms() - *back} : std::nullopt;
}

// Prints the lines of `q` as they come, polling every half second from a
// little before the last poll and skipping lines printed already; runs until
// the shell is interrupted.
caf::expected<output> follow_logs(session& s, const monitor_actor& monitor, log_query q) {
  constexpr int64_t overlap_ms = 2000;
  std::map<std::string, int64_t> printed;
  for (;;) {
    auto polled = now_ms();
    auto got = s.ask<log_lines>(monitor, logs_atom::value, q);
    if (!got)
      return got.error();
    for (const auto& line : got->lines)
      if (printed.emplace(line, polled).second)
        std::cout << line << std::endl;
    for (auto it = printed.begin(); it != printed.end();)
      it = polled - it->second > 2 * overlap_ms ? printed.erase(it) : std::next(it);
    q.since_ms = polled - overlap_ms;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

caf::expected<output> logs(session& s, const args_t& args) {
  const char* form = "logs [--node N] [--level L] [--component C] [--since 5m] [--limit N] [--follow]";
  log_query q;
  q.limit = 100;
  bool follow = false;
  std::string node;
  for (size_t i = 0; i < args.size(); i += 2) {
    if (args[i] == "--follow") {
      follow = true;
      --i;  // a flag: no value
      continue;
    }
    if (i + 1 >= args.size())
      return usage(form);
    const auto& value = args[i + 1];
    if (args[i] == "--node") {
      node = value;
    } else if (args[i] == "--level") {
      q.min_level = value;
    } else if (args[i] == "--component") {
      q.component = value;
    } else if (args[i] == "--since") {
      auto from = since(value);
      if (!from)
        return usage(form);
      q.since_ms = *from;
    } else if (args[i] == "--limit") {
      auto n = text::parse_u64(value);
      if (!n || *n == 0 || *n > 10000)
        return usage(form);
      q.limit = static_cast<uint32_t>(*n);
    } else {
      return usage(form);
    }
  }
  auto monitor = typed<monitor_actor>(s, "monitor", node);
  if (!monitor)
    return monitor.error();
  if (follow)
    return follow_logs(s, *monitor, q);
  auto got = s.ask<log_lines>(*monitor, logs_atom::value, q);
  if (!got)
    return got.error();
  output out{nlohmann::json::array(), {}};
  for (const auto& line : got->lines) {
    out.json.push_back(parse_json(line).value_or(nlohmann::json(line)));
    out.text += line + "\n";
  }
  return out;
}
// --- cache -----------------------------------------------------------------

caf::expected<output> cache_statistics(session& s, const args_t&) {
  auto cache = typed<cache_actor>(s, "cache");
  if (!cache)
    return cache.error();
  auto report = s.ask<cache_report>(*cache, stats_atom::value);
  if (!report)
    return report.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  auto add = [&](const std::string& shard, const sg::cache_stats& c) {
    out.json.push_back({{"shard", shard}, {"entries", c.entries}, {"bytes", c.bytes}, {"capacity_bytes", c.capacity_bytes},
                        {"hits", c.hits}, {"misses", c.misses}, {"evictions", c.evictions}});
    rows.push_back({shard, std::to_string(c.entries), std::to_string(c.bytes / 1024) + " KiB",
                    std::to_string(c.capacity_bytes / 1024) + " KiB", std::to_string(c.hits), std::to_string(c.misses),
                    std::to_string(c.evictions)});
  };
  for (size_t i = 0; i < report->shards.size(); ++i)
    add(std::to_string(i), report->shards[i]);
  add("total", report->total);
  out.text = table({"SHARD", "ENTRIES", "SIZE", "CAPACITY", "HITS", "MISSES", "EVICTIONS"}, rows);
  return out;
}

caf::expected<output> cache_invalidate(session& s, const args_t& args) {
  if (args.size() > 1)
    return usage("cache invalidate [PREFIX]  (no prefix: everything)");
  auto cache = typed<cache_actor>(s, "cache");
  if (!cache)
    return cache.error();
  auto removed = s.ask<uint64_t>(*cache, caf::delete_atom::value, prefix_atom::value, args.empty() ? "" : args[0]);
  if (!removed)
    return removed.error();
  return output{{{"removed", *removed}}, "removed " + std::to_string(*removed) + " entries\n"};
}

// --- nodes, videos, config ---------------------------------------------------

std::string age(int64_t ms) {
  if (ms < 0)
    return "-";
  if (ms < 10'000)
    return std::to_string(ms) + " ms";
  if (ms < 3'600'000)
    return std::to_string(ms / 1000) + " s";
  return std::to_string(ms / 3'600'000) + " h";
}

// A member's load: its transcode workers busy of its maximum, and the jobs
// waiting ("-" for a member without a transcoder, or not answering).
std::pair<nlohmann::json, std::string> load_of(session& s, const member_view& m) {
  if (m.state != "self" && m.state != "up")
    return {nullptr, "-"};
  auto transcoder = typed<transcode_actor>(s, "transcoder", m.state == "self" ? "" : m.record.name);
  auto pool = transcoder ? s.ask<pool_status>(*transcoder, caf::get_atom::value) : caf::expected<pool_status>{transcoder.error()};
  if (!pool)
    return {nullptr, "-"};
  return {{{"busy", pool->busy}, {"max", pool->max_workers}, {"queued", pool->queued}},
          std::to_string(pool->busy) + "/" + std::to_string(pool->max_workers) + " busy, " +
            std::to_string(pool->queued) + " queued"};
}

caf::expected<output> nodes(session& s, const args_t&) {
  auto cluster = typed<cluster_actor>(s, "cluster");
  if (!cluster) {
    if (!(cluster.error() == errc::unavailable))
      return cluster.error();
    return output{{{"clustered", false}, {"members", nlohmann::json::array()}}, "not clustered: this node runs alone\n"};
  }
  auto view = s.ask<cluster_view>(*cluster, members_atom::value);
  if (!view)
    return view.error();
  output out{{{"clustered", true}, {"self", view->self_id}, {"etcd_reachable", view->etcd_reachable},
              {"members", nlohmann::json::array()}},
             {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : view->members) {
    const auto& r = m.record;
    std::string roles;
    for (const auto& role : r.roles)
      roles += (roles.empty() ? "" : ",") + role;
    out.json["members"].push_back({{"id", r.id}, {"name", r.name}, {"address", r.address}, {"state", m.state},
                                   {"roles", r.roles}, {"started", when(r.started_ms)}, {"lease_age_ms", m.lease_age_ms}});
    auto load = load_of(s, m);
    out.json["members"].back()["load"] = load.first;
    rows.push_back({r.name, r.id, m.state, r.address, roles, age(r.started_ms > 0 ? now_ms() - r.started_ms : -1),
                    age(m.lease_age_ms), load.second});
  }
  out.text = table({"NAME", "ID", "STATE", "ADDRESS", "ROLES", "UP", "LEASE AGE", "LOAD"}, rows);
  return out;
}

caf::expected<output> videos(session& s, const args_t& args) {
  video_query q;
  for (const auto& w : args)
    q.q += (q.q.empty() ? "" : " ") + w;
  q.limit = 50;
  auto store = typed<video_store_actor>(s, "video_store");
  if (!store)
    return store.error();
  auto page = s.ask<video_page>(*store, query_atom::value, q);
  if (!page)
    return page.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : page->items) {
    out.json.push_back({{"id", v.id}, {"title", v.title}, {"status", to_string(v.status)}, {"owner", v.owner},
                        {"duration_ms", v.duration_ms}});
    rows.push_back({v.id, to_string(v.status), v.title.substr(0, 40), v.owner,
                    v.duration_ms > 0 ? std::to_string(v.duration_ms / 1000) + " s" : "-"});
  }
  out.text = rows.empty() ? "no videos\n" : table({"ID", "STATUS", "TITLE", "OWNER", "DURATION"}, rows);
  return out;
}

caf::expected<output> video_show(session& s, const args_t& args) {
  if (args.size() != 1)
    return usage("video show ID");
  auto store = typed<video_store_actor>(s, "video_store");
  if (!store)
    return store.error();
  auto v = s.ask<video>(*store, caf::get_atom::value, video_atom::value, args[0]);
  if (!v)
    return v.error();
  nlohmann::json j = *v;
  std::string text;
  for (const auto& [key, value] : j.items())
    text += key + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\n";
  return output{j, text};
}

std::vector<std::string> video_ids(session& s) {
  std::vector<std::string> out;
  video_query q;
  q.limit = 100;
  if (auto store = typed<video_store_actor>(s, "video_store"))
    if (auto page = s.ask<video_page>(*store, query_atom::value, q))
      for (const auto& v : page->items)
        out.push_back(v.id);
  return out;
}

caf::expected<output> metrics(session& s, const args_t& args) {
  if (args.size() > 1)
    return usage("metrics [NAME_PREFIX]");
  auto monitor = typed<monitor_actor>(s, "monitor");
  if (!monitor)
    return monitor.error();
  auto text = s.ask<std::string>(*monitor, caf::get_atom::value, args.empty() ? "streamgate_" : args[0]);
  if (!text)
    return text.error();
  nlohmann::json samples = nlohmann::json::object();
  std::istringstream in{*text};
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#')
      if (auto space = line.rfind(' '); space != std::string::npos)
        samples[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  return output{samples, *text};
}

caf::expected<output> uploads(session& s, const args_t&) {
  auto store = typed<upload_store_actor>(s, "upload_store");
  if (!store)
    return store.error();
  auto list = s.ask<std::vector<upload_info>>(*store, list_atom::value, upload_atom::value);
  if (!list)
    return list.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : *list) {
    if (u.state != upload_state::active)
      continue;
    out.json.push_back({{"id", u.id}, {"owner", u.spec.owner}, {"offset", u.offset}, {"length", u.spec.length},
                        {"expires", when(u.expires_ms)}});
    auto percent = u.spec.length > 0 ? u.offset * 100 / u.spec.length : 0;
    rows.push_back({u.id, u.spec.owner, std::to_string(u.offset / 1024) + " KiB", std::to_string(u.spec.length / 1024) + " KiB",
                    std::to_string(percent) + " %", when(u.expires_ms)});
  }
  out.text = rows.empty() ? "no uploads in progress\n" : table({"ID", "OWNER", "RECEIVED", "LENGTH", "DONE", "EXPIRES"}, rows);
  return out;
}

// `config [NODE]`: a single node's through its door (with the token); on a
// cluster, the member's own door, offered to the cluster.
caf::expected<output> config(session& s, const args_t& args) {
  if (args.size() > 1)
    return usage("config [NODE]");
  auto door = s.admin && args.empty() ? caf::expected<admin_actor>{s.admin}
                                      : typed<admin_actor>(s, "admin", args.empty() ? "" : args[0]);
  if (!door)
    return door.error();
  auto toml = s.ask<std::string>(*door, caf::get_atom::value, s.token);
  if (!toml)
    return toml.error();
  return output{{{"config", *toml}}, *toml};
}

}  // namespace

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows)
      width[c] = std::max(width[c], c < r.size() ? r[c].size() : 0);
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < header.size(); ++c) {
      const auto& cell = c < cells.size() ? cells[c] : std::string{};
      out += cell;
      if (c + 1 < header.size())
        out += std::string(width[c] - cell.size() + 2, ' ');
    }
    return out + "\n";
  };
  auto out = line(header);
  for (const auto& r : rows)
    out += line(r);
  return out;
}

const std::vector<command>& commands() {
  static const std::vector<command> all = [] {
    std::vector<command> out{
      {"nodes", "", "the cluster's members: state, address, roles, uptime, lease age, load", nodes},
      {"alerts", "", "the node's alerts: pending, firing, resolved", alerts},
      {"logs", "[--node N] [--level L] [--component C] [--since 5m] [--limit N] [--follow]",
       "the node's recent log lines; --follow: then new ones, until interrupted", logs},
    };
    for (auto& c : job_commands())
      out.push_back(std::move(c));
    for (auto& c : node_commands())
      out.push_back(std::move(c));
    out.insert(out.end(), {
      {"videos", "[QUERY]", "videos, found by title, description or tags", videos},
      {"video show", "ID", "one video's record", video_show, video_ids},
      {"uploads", "", "uploads in progress: received, length, expiry", uploads},
      {"config", "[NODE]", "a node's effective settings, secrets redacted", config, member_names},
      {"metrics", "[NAME_PREFIX]", "the node's metrics (default: streamgate_*)", metrics},
      {"cache stats", "", "entries, size and hits per cache shard", cache_statistics},
      {"cache invalidate", "[PREFIX]", "drop cached entries under a prefix (none: all)", cache_invalidate},
    });
    return out;
  }();
  return all;
}

caf::error usage(const std::string& form) {
  return make_error(errc::bad_request, "usage: " + form);
}

std::string when(int64_t ms) {
  return ms > 0 ? iso8601_ms(ms) : "-";
}

caf::expected<caf::actor> session::service(const std::string& name) {
  if (admin)
    return ask<caf::actor>(admin, caf::get_atom::value, token, name);
  auto it = offers.find(name);
  if (it == offers.end())
    return make_error(errc::unavailable, "this member runs no " + name + " service");
  return it->second;
}

caf::expected<caf::actor> session::service_on(const std::string& node, const std::string& name) {
  if (node.empty())
    return service(name);
  if (!dial)
    return make_error(errc::bad_request, "--node is for a cluster; this shell talks to a single node");
  auto cluster = typed<cluster_actor>(*this, "cluster");
  if (!cluster)
    return cluster.error();
  auto view = ask<cluster_view>(*cluster, members_atom::value);
  if (!view)
    return view.error();
  for (const auto& m : view->members) {
    if (m.record.name != node && m.record.id != node)
      continue;
    if (m.state == "self")
      return service(name);
    auto offered = dial(m.record.address);
    if (!offered)
      return offered.error();
    auto it = offered->find(name);
    if (it == offered->end())
      return make_error(errc::unavailable, node + " runs no " + name + " service");
    return it->second;
  }
  return make_error(errc::not_found, "no member is named '" + node.substr(0, 64) + "'");
}

}  // namespace sg::shell
