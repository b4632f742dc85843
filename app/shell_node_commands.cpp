// The admin shell's commands about a node's insides: its named actors (from
// the streamgate_actor_* series runtime/actor_stats.hpp keeps) and its
// transcode worker pool, seen and resized at once on one member or all.
#include <sstream>

#include "app/shell_commands.hpp"
#include "messages/cluster_actor.hpp"
#include "messages/monitor_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "runtime/text.hpp"

namespace sg::shell {

namespace {

struct actor_row {
  double instances = 0;
  double mailbox = 0;
  double handled = 0;
};

// `streamgate_actor_mailbox{actor="cache"} 3` -> rows["cache"].mailbox = 3
std::map<std::string, actor_row> actor_rows(const std::string& exposition) {
  std::map<std::string, actor_row> rows;
  std::istringstream in{exposition};
  const std::string label = "{actor=\"";
  for (std::string line; std::getline(in, line);) {
    auto open = line.find(label);
    auto close = line.find("\"}", open == std::string::npos ? 0 : open);
    auto space = line.rfind(' ');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close == std::string::npos || space < close)
      continue;
    auto family = line.substr(0, open);
    auto name = line.substr(open + label.size(), close - open - label.size());
    auto value = text::parse_double(line.substr(space + 1)).value_or(0);
    auto& row = rows[name];
    if (family == "streamgate_actor_instances")
      row.instances = value;
    else if (family == "streamgate_actor_mailbox")
      row.mailbox = value;
    else if (family == "streamgate_actor_messages_total")
      row.handled = value;
  }
  return rows;
}

std::string count(double v) {
  return std::to_string(static_cast<int64_t>(v));
}

// `actors [NODE]`
caf::expected<output> actors(session& s, const args_t& args) {
  if (args.size() > 1)
    return usage("actors [NODE]");
  auto monitor = typed<monitor_actor>(s, "monitor", args.empty() ? "" : args[0]);
  if (!monitor)
    return monitor.error();
  auto text = s.ask<std::string>(*monitor, caf::get_atom::value, std::string{"streamgate_actor_"});
  if (!text)
    return text.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, r] : actor_rows(*text)) {
    if (r.instances <= 0)
      continue;  // none of that name runs now
    out.json.push_back({{"actor", name}, {"instances", r.instances}, {"mailbox", r.mailbox}, {"handled", r.handled}});
    rows.push_back({name, count(r.instances), count(r.mailbox) + " msg", count(r.handled) + " msg"});
  }
  out.text = table({"ACTOR", "INSTANCES", "MAILBOX", "HANDLED"}, rows);
  return out;
}

// The members `pool transcode` acts on: this node, --node NAME, or --all.
caf::expected<std::vector<std::string>> pool_targets(session& s, const std::string& node, bool all) {
  if (!all)
    return std::vector<std::string>{node};
  auto cluster = typed<cluster_actor>(s, "cluster");
  if (!cluster)
    return cluster.error() == errc::unavailable ? caf::expected<std::vector<std::string>>{std::vector<std::string>{""}}
                                                : cluster.error();
  auto view = s.ask<cluster_view>(*cluster, members_atom::value);
  if (!view)
    return view.error();
  std::vector<std::string> out;
  for (const auto& m : view->members)
    if (m.state == "self" || m.state == "up")
      out.push_back(m.state == "self" ? "" : m.record.name);
  return out;
}

// `pool transcode [--node N | --all] [min N max M]`
caf::expected<output> pool(session& s, const args_t& args) {
  const char* form = "pool transcode [--node NAME | --all] [min N max M]";
  std::string node;
  bool all = false;
  std::optional<pool_bounds> bounds;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--all") {
      all = true;
    } else if (args[i] == "--node" && i + 1 < args.size()) {
      node = args[++i];
    } else if (args[i] == "min" && i + 3 < args.size() && args[i + 2] == "max") {
      auto lo = text::parse_u64(args[i + 1]);
      auto hi = text::parse_u64(args[i + 3]);
      if (!lo || !hi || *lo > 1024 || *hi > 1024)
        return make_error(errc::bad_request, "min and max are worker counts");
      bounds = pool_bounds{static_cast<int32_t>(*lo), static_cast<int32_t>(*hi)};
      i += 3;
    } else {
      return usage(form);
    }
  }
  if (all && !node.empty())
    return usage(form);
  auto targets = pool_targets(s, node, all);
  if (!targets)
    return targets.error();
  output out{nlohmann::json::array(), {}};
  std::vector<std::vector<std::string>> rows;
  for (const auto& target : *targets) {
    auto name = target.empty() ? std::string{"(this node)"} : target;
    auto transcoder = typed<transcode_actor>(s, "transcoder", target);
    auto p = !transcoder ? caf::expected<pool_status>{transcoder.error()}
             : bounds    ? s.ask<pool_status>(*transcoder, caf::put_atom::value, *bounds)
                         : s.ask<pool_status>(*transcoder, caf::get_atom::value);
    if (!p && !all)
      return p.error();
    if (!p) {  // the others still answer: say which one did not, and why
      auto why = error_detail(p.error());
      if (why.empty())
        why = caf::to_string(p.error());
      out.json.push_back({{"node", target}, {"error", why}});
      rows.push_back({name, "-", "-", "-", "-", "-", why});
      continue;
    }
    out.json.push_back({{"node", target}, {"min", p->min_workers}, {"max", p->max_workers}, {"workers", p->workers},
                        {"busy", p->busy}, {"launching", p->launching}, {"queued", p->queued}});
    rows.push_back({name, std::to_string(p->min_workers), std::to_string(p->max_workers), std::to_string(p->workers),
                    std::to_string(p->busy), std::to_string(p->launching), std::to_string(p->queued) + " jobs"});
  }
  out.text = table({"NODE", "MIN", "MAX", "WORKERS", "BUSY", "STARTING", "QUEUED"}, rows);
  if (!all)
    out.json = out.json.at(0);
  return out;
}

}  // namespace

std::vector<std::string> member_names(session& s) {
  std::vector<std::string> out;
  if (auto cluster = typed<cluster_actor>(s, "cluster"))
    if (auto view = s.ask<cluster_view>(*cluster, members_atom::value))
      for (const auto& m : view->members)
        if (m.state == "self" || m.state == "up")
          out.push_back(m.record.name);
  return out;
}

std::vector<command> node_commands() {
  return {
    {"actors", "[NODE]", "a node's named actors: how many run, messages waiting, messages handled", actors,
     member_names},
    {"pool transcode", "[--node NAME | --all] [min N max M]",
     "the transcode worker pool; min/max resize it at once", pool},
  };
}

}  // namespace sg::shell
