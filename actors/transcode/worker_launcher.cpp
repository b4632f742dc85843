#include "actors/transcode/worker_launcher.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <openssl/crypto.h>

#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

extern char** environ;

namespace sg {

namespace {

constexpr int64_t join_deadline_ms = 15000;
constexpr auto tick_interval = std::chrono::seconds(1);

struct pending_worker {
  pid_t pid = 0;
  int64_t deadline_ms = 0;
  caf::typed_response_promise<worker_host_actor> promise;
};

struct launcher_state {
  worker_process_settings settings;
  uint16_t port = 0;
  std::map<std::string, pending_worker> pending;  // by token
  std::map<caf::actor_addr, pid_t> running;       // by host
  std::vector<pid_t> exited;                      // killed or gone, not yet reaped
  static inline const char* name = "worker_launcher";

  ~launcher_state() {
    for (const auto& [token, w] : pending)
      ::kill(w.pid, SIGKILL);
    for (const auto& [addr, pid] : running)
      ::kill(pid, SIGKILL);
  }
};

// The public interface and the launcher's own timer (join deadlines, reaping).
using launcher_actor = worker_launcher_actor::extend<caf::reacts_to<caf::tick_atom>>;

using launcher_ptr = launcher_actor::stateful_pointer<launcher_state>;

bool from_this_node(launcher_ptr self) {
  const auto& sender = self->current_sender();
  return sender != nullptr && sender->node() == self->node();
}

// posix_spawn, not fork: the node has many threads. The child gets an empty
// signal mask (the node blocks SIGINT/SIGTERM for sigwait) and a process
// group of its own, so a terminal's Ctrl-C reaches only the node, which then
// stops its workers itself.
caf::expected<pid_t> launch(const launcher_state& st, const std::string& token) {
  auto parent = std::to_string(::getpid());
  std::vector<std::string> args{st.settings.executable, "worker", "--connect",
                                "127.0.0.1:" + std::to_string(st.port), "--memory-bytes",
                                std::to_string(st.settings.memory_bytes), "--log-level",
                                st.settings.log_level};
  if (!st.settings.cluster_app_id.empty()) {
    args.emplace_back("--cluster-app-id");
    args.push_back(st.settings.cluster_app_id);
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "STREAMGATE_WORKER_", 18) != 0 && std::strncmp(*e, "MALLOC_ARENA_MAX=", 17) != 0)
      env.emplace_back(*e);
  env.push_back("STREAMGATE_WORKER_TOKEN=" + token);
  env.push_back("STREAMGATE_WORKER_PARENT=" + parent);
  env.push_back("MALLOC_ARENA_MAX=2");  // fewer reserved arenas under the address-space limit
  auto pointers = [](std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v)
      out.push_back(s.data());
    out.push_back(nullptr);
    return out;
  };
  auto argv = pointers(args);
  auto envp = pointers(env);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&files, 2, 1);  // its stdout joins our log on stderr
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return make_error(errc::internal, std::string{"cannot start a worker: "} + std::strerror(rc));
  return pid;
}

void reap(launcher_state& st) {
  for (auto it = st.exited.begin(); it != st.exited.end();) {
    int status = 0;
    auto rc = ::waitpid(*it, &status, WNOHANG);
    if (rc == 0) {
      ++it;
      continue;
    }
    if (rc == *it) {
      if (WIFSIGNALED(status))
        log::warn("transcode", "worker process killed",
                  {{"pid", *it}, {"signal", strsignal(WTERMSIG(status))}});
      else
        log::info("transcode", "worker process exited", {{"pid", *it}, {"code", WEXITSTATUS(status)}});
    }
    it = st.exited.erase(it);
  }
}

launcher_actor::behavior_type launcher(launcher_ptr self, worker_process_settings settings) {
  self->state.settings = std::move(settings);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.running.find(dm.source);
    if (it == st.running.end())
      return;
    ::kill(it->second, SIGKILL);  // a host that is gone leaves no process behind
    st.exited.push_back(it->second);
    st.running.erase(it);
    reap(st);
  });
  self->delayed_send(self, tick_interval, caf::tick_atom::value);
  return {
    [self](caf::publish_atom, uint16_t port) {
      if (from_this_node(self) && self->state.port == 0)
        self->state.port = port;
    },
    [self](caf::spawn_atom) -> caf::result<worker_host_actor> {
      auto& st = self->state;
      if (!from_this_node(self) || st.port == 0)
        return make_error(errc::forbidden, "workers are launched by their own node");
      auto token = random_hex(16);
      auto pid = launch(st, token);
      if (!pid)
        return pid.error();
      auto rp = self->make_response_promise<worker_host_actor>();
      st.pending.emplace(token, pending_worker{*pid, now_ms() + join_deadline_ms, rp});
      return rp;
    },
    [self](caf::join_atom, const std::string& token, int32_t pid,
           worker_host_actor& host) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      // Constant-time: the token is the only proof a peer was launched here.
      auto it = std::find_if(st.pending.begin(), st.pending.end(), [&](const auto& entry) {
        return entry.first.size() == token.size() &&
               CRYPTO_memcmp(entry.first.data(), token.data(), token.size()) == 0;
      });
      if (it == st.pending.end() || it->second.pid != pid || !host)
        return make_error(errc::forbidden, "unknown worker");
      self->monitor(host);
      st.running.emplace(host.address(), pid);
      it->second.promise.deliver(std::move(host));
      st.pending.erase(it);
      return caf::ok_atom::value;
    },
    [self](caf::tick_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      auto& st = self->state;
      auto now = now_ms();
      for (auto it = st.pending.begin(); it != st.pending.end();) {
        int status = 0;
        bool gone = ::waitpid(it->second.pid, &status, WNOHANG) == it->second.pid;
        if (!gone && now < it->second.deadline_ms) {
          ++it;
          continue;
        }
        if (!gone) {
          ::kill(it->second.pid, SIGKILL);
          st.exited.push_back(it->second.pid);
        }
        it->second.promise.deliver(make_error(errc::unavailable, "the worker process did not start"));
        it = st.pending.erase(it);
      }
      reap(st);
      self->delayed_send(self, tick_interval, caf::tick_atom::value);
    },
  };
}

}  // namespace

caf::expected<worker_launcher_actor> spawn_worker_launcher(caf::actor_system& sys,
                                                           const worker_process_settings& settings) {
  // Published under its public interface: its timer is not for workers.
  worker_launcher_actor h = actor_stats::spawn(sys, "worker_launcher", launcher, settings);
  auto port = sys.middleman().publish(h, 0, "127.0.0.1", true);
  if (!port) {
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    return port.error();
  }
  caf::scoped_actor self{sys};  // a local sender: the launcher refuses remote ones
  self->send(h, caf::publish_atom::value, *port);
  return h;
}

}  // namespace sg
