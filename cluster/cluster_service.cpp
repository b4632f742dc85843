#include "cluster/cluster_service.hpp"

#include <chrono>
#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "cluster/greeter.hpp"
#include "cluster/transport.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/actor_stats.hpp"

namespace sg::cluster {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto connect_timeout = 5s;
constexpr auto first_greeting_timeout = 3s;  // may include BASP's handshake
constexpr auto greeting_timeout = 1s;
constexpr auto tick = 1s;
constexpr auto probe_timeout = 1s;  // one TLS handshake
constexpr auto reprobe_refused = 10s;  // an answer that was wrong may be right later
constexpr auto remember_lost = 1h;  // a lost member not back by then counts as retired

// What the membership threads, the greeter and the timer tell the service;
// not part of the public interface.
using service_actor = cluster_actor::extend<
  caf::reacts_to<caf::open_atom, greeter_actor>,                // start with this greeter
  caf::reacts_to<member_atom, member_record, std::string>,      // etcd: a member, its problem
  caf::reacts_to<gone_atom, std::string, bool>,                 // etcd: a member went (left or lost)
  caf::reacts_to<lease_atom, bool>,                             // etcd: keepalive outcome
  caf::reacts_to<hello_atom, member_record, caf::actor>,        // a peer greeted us
  caf::reacts_to<caf::tick_atom>>;

struct peer {
  member_view view;
  bool other_cluster = false;  // its record names another cluster: never asked
  bool verified = false;  // etcd vouched for it and its certificate names it
  bool probing = false;
  clock_type::time_point next_probe{};
  greeter_actor greeter;  // set while up
  bool dialling = false;
  clock_type::time_point last_seen = clock_type::now();
};

struct service_state {
  member_record self;
  membership_settings settings;
  directory_actor directory;
  cache_actor local_cache;
  std::map<std::string, caf::actor> member_caches;  // member id -> its cache, while up
  upload_manager_actor local_uploads;
  transcode_actor local_transcoder;
  std::map<std::string, caf::actor> member_uploads;  // member id -> its upload manager, while up
  greeter_actor greeter;
  std::unique_ptr<membership> members;
  std::map<std::string, peer> peers;
  bool etcd_reachable = false;
  clock_type::time_point last_keepalive{};
  std::map<std::string, clock_type::time_point> lost;  // member name -> when it went without leaving
  static inline const char* name = "cluster";
};

using self_ptr = service_actor::stateful_pointer<service_state>;

int64_t ms_since(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t).count();
}

peer* find(self_ptr self, const std::string& id) {
  auto it = self->state.peers.find(id);
  return it == self->state.peers.end() ? nullptr : &it->second;
}

std::vector<std::string> ring_names(const service_state& st) {
  std::vector<std::string> out;
  if (st.local_cache)
    out.push_back(st.self.name);
  for (const auto& [id, cache] : st.member_caches)
    if (auto it = st.peers.find(id); it != st.peers.end())
      out.push_back(it->second.view.record.name);
  return out;
}

void push_ring(self_ptr self) {
  const auto& st = self->state;
  if (!st.local_cache)
    return;
  cache_ring r{st.self.id, {st.self.id}, {caf::actor{}}};
  for (const auto& [id, cache] : st.member_caches) {
    r.members.push_back(id);
    r.caches.push_back(cache);
  }
  self->send(st.local_cache, ring_atom::value, std::move(r));
}

// Every member this node knows of (refused ones aside: their ids were never
// vouched for), with its upload manager while it is up.
void push_members(self_ptr self) {
  const auto& st = self->state;
  if (!st.local_uploads && !st.local_transcoder)
    return;
  std::vector<offered_service> members;
  for (const auto& [id, p] : st.peers) {
    if (p.view.state == "refused")
      continue;
    auto it = st.member_uploads.find(id);
    bool up = p.view.state == "up" && it != st.member_uploads.end();
    members.push_back({id, up ? it->second : caf::actor{}});
  }
  if (st.local_transcoder)
    self->send(st.local_transcoder, members_atom::value, members);
  if (st.local_uploads)
    self->send(st.local_uploads, members_atom::value, std::move(members));
}

// A member no longer up: what it offered leaves the directory, the ring and
// the upload managers' list (the caller tells the latter).
void drop_offers(self_ptr self, const std::string& id) {
  self->send(self->state.directory, caf::delete_atom::value, id);
  self->state.member_uploads.erase(id);
  if (self->state.member_caches.erase(id) > 0)
    push_ring(self);
}

void set_state(self_ptr self, peer& p, const std::string& state, const std::string& reason) {
  if (p.view.state != state)
    log::info("cluster", "member " + state,
              {{"id", p.view.record.id}, {"name", p.view.record.name}, {"reason", reason}});
  bool changed = p.view.state != state;
  if (p.view.state == "up" && state != "up")
    drop_offers(self, p.view.record.id);
  p.view.state = state;
  p.view.reason = reason;
  if (state != "up")
    p.greeter = nullptr;  // a handle re-resolved later compares equal to a dead one
  if (changed)
    push_members(self);
}

// The services a member just up runs itself go into the directory, where
// they serve what this node does not.
void adopt_offers(self_ptr self, const std::string& id, const greeter_actor& g) {
  self->request(g, first_greeting_timeout, caf::get_atom::value)
    .then(
      [=](const std::vector<offered_service>& offers) {
        auto* p = find(self, id);
        if (p == nullptr || p->view.state != "up")
          return;
        for (const auto& o : offers) {
          service s;
          if (!service_from(o.name, s) || !o.handle)
            continue;
          self->send(self->state.directory, caf::put_atom::value, s, o.handle, id);
          if (s == service::cache) {
            self->state.member_caches[id] = o.handle;
            push_ring(self);
          } else if (s == service::uploads) {
            self->state.member_uploads[id] = o.handle;
            push_members(self);
          }
        }
      },
      [=](const caf::error& e) {
        log::warn("cluster", "a member did not name its services", {{"id", id}, {"error", to_string(e)}});
      });
}

// One connection per pair of members: the smaller id dials.
bool dials(self_ptr self, const std::string& id) {
  return self->state.self.id < id;
}

void mark_up(self_ptr self, peer& p, const greeter_actor& g) {
  bool fresh = p.view.state != "up" || p.greeter != g;
  if (p.greeter != g)
    self->monitor(g);
  set_state(self, p, "up", "");
  p.greeter = g;
  p.last_seen = clock_type::now();
  if (fresh)
    adopt_offers(self, p.view.record.id, g);
}

void greet(self_ptr self, const std::string& id, const greeter_actor& g, caf::timespan timeout) {
  const auto& st = self->state;
  self->request(g, timeout, hello_atom::value, st.self.cluster, st.self, caf::actor_cast<caf::actor>(st.greeter))
    .then(
      [=](const member_record& r) {
        auto* p = find(self, id);
        if (p == nullptr)
          return;
        p->dialling = false;
        if (r.id != p->view.record.id || r.name != p->view.record.name)
          return set_state(self, *p, "refused", "its address answers as '" + r.name + "' (" + r.id + ")");
        mark_up(self, *p, g);
      },
      [=](const caf::error& e) {
        if (auto* p = find(self, id)) {
          p->dialling = false;
          set_state(self, *p, "unreachable", "greeting failed: " + to_string(e));
        }
      });
}

// Connects over TLS (CAF's openssl middleman), checks that a greeter is
// published there, then greets it.
void dial(self_ptr self, const std::string& id) {
  auto& p = self->state.peers.at(id);
  std::string host;
  uint16_t port = 0;
  if (p.dialling || !p.verified || !dials(self, id) || !split_host_port(p.view.record.address, host, port))
    return;
  p.dialling = true;
  auto transport = self->system().openssl_manager().actor_handle();
  self->request(transport, connect_timeout, caf::connect_atom::value, host, port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        auto* p = find(self, id);
        if (p == nullptr)
          return;
        if (!ptr || ifs != self->system().message_types<greeter_actor>()) {
          p->dialling = false;
          return set_state(self, *p, "refused", "no greeter is published at its address");
        }
        greet(self, id, caf::actor_cast<greeter_actor>(ptr), first_greeting_timeout);
      },
      [=](const caf::error& e) {
        if (auto* p = find(self, id)) {
          p->dialling = false;
          set_state(self, *p, "unreachable", "no TLS connection: " + to_string(e));
        }
      });
}

cluster_view view_of(const service_state& st) {
  cluster_view out{st.self.id, st.etcd_reachable, ms_since(st.last_keepalive), {}, ring_names(st)};
  out.members.push_back({st.self, "self", "", out.keepalive_age_ms});
  for (const auto& [id, p] : st.peers) {
    auto v = p.view;
    v.lease_age_ms = ms_since(p.last_seen);
    out.members.push_back(std::move(v));
  }
  return out;
}

// CAF accepts any certificate of the CA and hides the peer's, so before a
// member is greeted we connect to its address with TLS ourselves and check
// that the certificate there names it. The handshake blocks: a detached
// actor makes it. A member that could not be asked is asked again next
// second; one that answered wrong, every ten.
caf::behavior prober(caf::event_based_actor* self, std::string address, std::string certs_dir) {
  return {
    [=](caf::get_atom) -> caf::result<std::string> {
      auto name = peer_common_name(address, certs_dir, probe_timeout);
      self->quit();
      if (!name)
        return name.error();
      return *name;
    },
  };
}

void probe(self_ptr self, const std::string& id) {
  auto& p = self->state.peers.at(id);
  if (p.probing)
    return;
  p.probing = true;
  auto asker = self->system().spawn<caf::detached>(prober, p.view.record.address, self->state.settings.certs_dir);
  self->request(asker, 3 * probe_timeout, caf::get_atom::value)
    .then(
      [=](const std::string& name) {
        auto* p = find(self, id);
        if (p == nullptr)
          return;
        p->probing = false;
        p->next_probe = clock_type::now() + reprobe_refused;
        if (name != p->view.record.name) {
          set_state(self, *p, "refused",
                    "the server at " + p->view.record.address + " is '" + name + "', not '" + p->view.record.name + "'");
          return;
        }
        p->verified = true;
        set_state(self, *p, "joining", dials(self, id) ? "" : "waiting for its greeting");
        dial(self, id);
      },
      [=](const caf::error& e) {
        auto* p = find(self, id);
        if (p == nullptr)
          return;
        bool wrong = e == errc::forbidden;  // asked, and answered wrong
        p->probing = false;
        p->next_probe = clock_type::now() + (wrong ? caf::timespan{reprobe_refused} : caf::timespan{tick});
        set_state(self, *p, wrong ? "refused" : "unreachable", error_detail(e));
      });
}

// For the monitor's alert rules (node_down, etcd_unreachable).
void publish_health(const service_state& st) {
  static auto& down = metrics::global().get_gauge(
    "streamgate_cluster_members_down", "Members that went without leaving, in the last hour, not back");
  down.set(static_cast<int64_t>(st.lost.size()));
}

void note_etcd_answered() {
  static auto& answered = metrics::global().get_gauge("streamgate_etcd_last_answer_ms",
                                                      "Unix ms when etcd last answered this node's keepalive");
  answered.set(now_ms());
}

void on_member(self_ptr self, const member_record& r, const std::string& problem) {
  if (self->state.lost.erase(r.name) > 0)
    publish_health(self->state);
  auto& p = self->state.peers[r.id];
  bool moved = p.view.record.address != r.address;
  p.view.record = r;
  p.other_cluster = !problem.empty();
  if (p.other_cluster) {
    p.verified = false;
    return set_state(self, p, "refused", problem);
  }
  if (moved || p.view.state.empty()) {
    p.verified = false;
    set_state(self, p, "joining", "checking its certificate");
  }
  if (!p.verified)
    probe(self, r.id);
  else if (p.view.state != "up")
    dial(self, r.id);
}

// Greets the members that are up (both ways, so each side sees the other
// alive), asks again those whose certificate could not be checked, and
// dials again those it should.
void on_tick(self_ptr self) {
  auto now = clock_type::now();
  auto& lost = self->state.lost;
  for (auto it = lost.begin(); it != lost.end();)
    it = now - it->second > remember_lost ? lost.erase(it) : std::next(it);
  publish_health(self->state);
  for (auto& [id, p] : self->state.peers) {
    if (p.view.state == "up")
      greet(self, id, p.greeter, greeting_timeout);
    else if (p.other_cluster)
      continue;
    else if (!p.verified && now >= p.next_probe)
      probe(self, id);
    else if (p.verified && p.view.state != "refused")
      dial(self, id);
  }
  self->delayed_send(self, tick, caf::tick_atom::value);
}

service_actor::behavior_type cluster_service(self_ptr self, cluster_service_config config) {
  self->state.self = std::move(config.self);
  self->state.settings = std::move(config.membership);
  self->state.directory = std::move(config.directory);
  self->state.local_cache = std::move(config.local_cache);
  self->state.local_uploads = std::move(config.local_uploads);
  self->state.local_transcoder = std::move(config.local_transcoder);
  push_ring(self);  // alone until members come
  push_members(self);
  // Two members that dialled each other at once keep one connection; the
  // other's proxies go down. The dialler dials again; a peer really gone
  // fails that, and its lease decides.
  self->set_down_handler([=](caf::down_msg& dm) {
    for (auto& [id, p] : self->state.peers)
      if (p.greeter && p.greeter.address() == dm.source) {
        set_state(self, p, "joining", "its connection broke");
        dial(self, id);
      }
  });
  self->attach_functor([=] {
    if (self->state.members)
      self->state.members->leave();
    caf::anon_send_exit(self->state.greeter, caf::exit_reason::user_shutdown);
  });
  return {
    [=](members_atom) { return view_of(self->state); },
    [=](caf::open_atom, greeter_actor g) {
      auto& st = self->state;
      st.greeter = std::move(g);
      note_etcd_answered();  // it answered the node's start
      publish_health(st);
      st.members = std::make_unique<membership>(st.settings, st.self, caf::actor_cast<caf::actor>(self));
      st.members->start();
      self->delayed_send(self, tick, caf::tick_atom::value);
    },
    [=](member_atom, const member_record& r, const std::string& problem) { on_member(self, r, problem); },
    [=](gone_atom, const std::string& id, bool left) {
      if (auto* p = find(self, id)) {
        if (left || !p->verified) {  // only a member etcd and its certificate vouched for counts as lost
          log::info("cluster", "member left", {{"id", id}, {"name", p->view.record.name}});
        } else {
          log::warn("cluster", "member lost: its lease expired", {{"id", id}, {"name", p->view.record.name}});
          self->state.lost[p->view.record.name] = clock_type::now();
          publish_health(self->state);
        }
        drop_offers(self, id);
        self->state.peers.erase(id);
        push_members(self);
      }
    },
    [=](lease_atom, bool alive) {
      self->state.etcd_reachable = alive;
      if (alive) {
        self->state.last_keepalive = clock_type::now();
        note_etcd_answered();
      }
    },
    [=](hello_atom, const member_record& caller, const caf::actor& their_greeter) {
      // Only members etcd vouched for; one not known yet greets again.
      auto* p = find(self, caller.id);
      if (p == nullptr || !p->verified || caller.name != p->view.record.name || !their_greeter)
        return;
      mark_up(self, *p, caf::actor_cast<greeter_actor>(their_greeter));
    },
    [=](caf::tick_atom) { on_tick(self); },
  };
}

}  // namespace

caf::expected<cluster_actor> start_cluster_service(caf::actor_system& sys, cluster_service_config config) {
  // Detached: leaving joins the membership threads, whose last etcd call
  // (revoking the lease) blocks; that must not hold a scheduler thread.
  auto service = actor_stats::spawn<caf::detached>(sys, "cluster", cluster_service, config);
  auto greeter = spawn_greeter(sys, {config.self, caf::actor_cast<caf::actor>(service), config.directory,
                                     config.provided});
  // reuse: a restarted node rebinds its port while the old socket lingers.
  auto bound = caf::openssl::publish(greeter, config.port, nullptr, true);
  if (!bound) {
    caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(greeter, caf::exit_reason::user_shutdown);
    return make_error(errc::unavailable, "cannot listen on cluster port " + std::to_string(config.port) +
                                           ": " + to_string(bound.error()));
  }
  caf::anon_send(service, caf::open_atom::value, greeter);
  return caf::actor_cast<cluster_actor>(service);
}

}  // namespace sg::cluster
