#include "app/shell.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <editline/readline.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "app/shell_commands.hpp"
#include "cluster/transport.hpp"
#include "messages/cluster_actor.hpp"
#include "messages/registry.hpp"
#include "runtime/json.hpp"

namespace sg {

namespace {

struct shell_options {
  std::string connect = "127.0.0.1:9710";
  std::string token;
  std::string certs_dir;  // a cluster member: ca.crt and the client's certificate
  std::string client;     // the client's name: client.NAME.crt (default: node.crt)
  std::string cluster = "streamgate";
  std::string commands;  // -c "CMD; CMD"
  bool json = false;
};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in{line};
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

std::vector<std::string> split_commands(const std::string& text) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in{text};
  while (std::getline(in, part, ';'))
    if (!words(part).empty())
      out.push_back(part);
  return out;
}

std::string help_text() {
  std::string out = "commands:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : shell::commands())
    rows.push_back({c.name + (c.usage.empty() ? "" : " " + c.usage), c.summary});
  rows.push_back({"help", "this list"});
  return out + shell::table({"COMMAND", "WHAT"}, rows);
}

// Runs one command line; false when it failed (the reason is printed).
bool run_line(shell::session& s, const std::string& line, bool json) {
  auto w = words(line);
  if (w.empty())
    return true;
  if (w[0] == "help") {
    std::cout << help_text();
    return true;
  }
  // The longest name that matches: "job show" before "jobs".
  const shell::command* found = nullptr;
  size_t used = 0;
  for (const auto& c : shell::commands()) {
    auto name = words(c.name);
    if (name.size() > w.size() || name.size() <= used || !std::equal(name.begin(), name.end(), w.begin()))
      continue;
    found = &c;
    used = name.size();
  }
  if (found == nullptr) {
    std::cerr << "unknown command '" << w[0] << "' (help lists them)\n";
    return false;
  }
  auto out = found->run(s, {w.begin() + static_cast<std::ptrdiff_t>(used), w.end()});
  if (!out) {
    auto detail = error_detail(out.error());
    std::cerr << found->name << ": " << (detail.empty() ? caf::to_string(out.error()) : detail) << "\n";
    return false;
  }
  if (json)
    std::cout << dump_json(out->json) << "\n";
  else
    std::cout << out->text;
  return true;
}

// Completion of command names, word by word ("cache st" Tab: "cache
// stats"): the words before the cursor pick the commands, the word under it
// is completed from theirs; after a whole name, its ids ("job show " Tab).
std::string line_before_word;  // what precedes the word being completed
shell::session* completing = nullptr;  // asked for ids (interactive only)

// After a whole command name: its first argument, from what the node holds.
std::vector<std::string> argument_candidates() {
  auto typed_words = words(line_before_word);
  if (completing == nullptr || typed_words.empty())
    return {};
  for (const auto& c : shell::commands())
    if (c.ids && words(c.name) == typed_words)
      return c.ids(*completing);
  return {};
}

char* next_command(const char* text, int state) {
  static std::vector<std::string> matches;
  static size_t index;
  if (state == 0) {
    index = 0;
    matches.clear();
    std::vector<std::string> names{"help", "quit"};
    for (const auto& c : shell::commands())
      names.push_back(c.name);
    const auto typed = line_before_word + text;
    for (const auto& name : names) {
      if (name.rfind(typed, 0) != 0 || name.size() < line_before_word.size())
        continue;
      auto word = name.substr(line_before_word.size());
      word = word.substr(0, word.find(' '));
      if (std::find(matches.begin(), matches.end(), word) == matches.end())
        matches.push_back(word);
    }
    if (matches.empty())
      for (auto& id : argument_candidates())
        if (id.rfind(text, 0) == 0)
          matches.push_back(std::move(id));
  }
  return index < matches.size() ? ::strdup(matches[index++].c_str()) : nullptr;
}

char** complete(const char* text, int start, int) {
  line_before_word.assign(::rl_line_buffer, static_cast<size_t>(start));
  ::rl_attempted_completion_over = 1;  // no file names
  return ::rl_completion_matches(text, next_command);
}

// A terminal: line editing, history (kept in ~/.streamgate_history) and
// completion, from libedit.
int interactive(shell::session& s, bool json) {
  const char* home = std::getenv("HOME");
  const std::string history = home != nullptr ? std::string{home} + "/.streamgate_history" : std::string{};
  if (!history.empty())
    ::read_history(history.c_str());
  ::rl_attempted_completion_function = complete;
  completing = &s;
  std::cout << "streamgate shell: help lists the commands, quit leaves\n";
  while (char* raw = ::readline("streamgate> ")) {
    std::string line{raw};
    std::free(raw);
    if (line == "quit" || line == "exit")
      break;
    if (words(line).empty())
      continue;
    ::add_history(line.c_str());
    run_line(s, line, json);
  }
  if (!history.empty())
    ::write_history(history.c_str());
  return 0;
}

// Fills the session from what the node at `where` offers: a single node's
// admin door, or a cluster member's own services (through its greeter).
caf::error connect(caf::actor_system& sys, const shell_options& o, shell::session& s) {
  std::string host;
  uint16_t port = 0;
  if (!cluster::split_host_port(o.connect, host, port))
    return make_error(errc::bad_request, "--connect is HOST:PORT");
  if (o.certs_dir.empty()) {
    auto admin = sys.middleman().remote_actor<admin_actor>(host, port);
    if (!admin)
      return admin.error();
    s.admin = *admin;
    return {};
  }
  s.dial = [&sys, &s](const std::string& address) -> caf::expected<std::map<std::string, caf::actor>> {
    std::string member_host;
    uint16_t member_port = 0;
    if (!cluster::split_host_port(address, member_host, member_port))
      return make_error(errc::bad_request, "a member's address is not HOST:PORT: " + address);
    auto greeter = caf::openssl::remote_actor<greeter_actor>(sys, member_host, member_port);
    if (!greeter)
      return greeter.error();
    auto offered = s.ask<std::vector<offered_service>>(*greeter, caf::get_atom::value);
    if (!offered)
      return offered.error();
    std::map<std::string, caf::actor> out;
    for (const auto& offer : *offered)
      out[offer.name] = offer.handle;
    return out;
  };
  auto offers = s.dial(o.connect);
  if (!offers)
    return offers.error();
  s.offers = std::move(*offers);
  return {};
}

}  // namespace

int run_shell(const std::vector<std::string>& args) {
  shell_options o;
  CLI::App app{"streamgate shell: the node's actors at the operator's hands"};
  app.add_option("--connect", o.connect, "HOST:PORT of the node's admin shell (its --cluster-port)")
    ->capture_default_str();
  app.add_option("--admin-token", o.token, "The node's --admin-token")->envname("STREAMGATE_ADMIN_TOKEN");
  app.add_option("--certs-dir", o.certs_dir,
                 "A cluster member: the directory of ca.crt and the client certificate (mutual TLS)");
  app.add_option("--client", o.client, "The client certificate's name: DIR/client.NAME.crt and .key "
                 "(streamgate certs create-client); default DIR/node.crt");
  app.add_option("--cluster-name", o.cluster, "The cluster's name")->capture_default_str();
  app.add_option("-c", o.commands, "Commands to run, separated by ';' (exits non-zero at the first failure)");
  app.add_flag("--json", o.json, "One JSON document per command");
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  caf::actor_system_config cfg;
  register_messages(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("logger.verbosity", caf::atom("quiet"));
  if (!o.certs_dir.empty()) {
    cluster::configure_transport(cfg, cluster::app_id(o.cluster));
    cluster::configure_tls(cfg, o.certs_dir);
    if (!o.client.empty()) {
      cfg.openssl_certificate = o.certs_dir + "/client." + o.client + ".crt";
      cfg.openssl_key = o.certs_dir + "/client." + o.client + ".key";
    }
  }
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  shell::session s{self, {}, o.token, {}, {}};
  if (auto failed = connect(sys, o, s)) {
    std::cerr << "cannot reach a node's admin shell at " << o.connect << ": " << caf::to_string(failed) << "\n";
    return 1;
  }
  // The door checks the token: ask it once so a wrong one fails at once.
  if (auto probe = s.service("monitor"); s.admin && !probe && probe.error() == errc::forbidden) {
    std::cerr << error_detail(probe.error()) << "\n";
    return 1;
  }
  if (!o.commands.empty()) {
    for (const auto& line : split_commands(o.commands))
      if (!run_line(s, line, o.json))
        return 1;
    return 0;
  }
  if (::isatty(STDIN_FILENO) != 0)
    return interactive(s, o.json);
  int failures = 0;
  for (std::string line; std::getline(std::cin, line) && line != "quit" && line != "exit";)
    failures += run_line(s, line, o.json) ? 0 : 1;
  return failures == 0 ? 0 : 1;
}

}  // namespace sg
