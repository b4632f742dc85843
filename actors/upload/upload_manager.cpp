#include "actors/upload/upload_manager.hpp"

#include <filesystem>
#include <functional>
#include <numeric>
#include <optional>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/upload/disk_space.hpp"
#include "actors/upload/upload_session.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/promises.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr auto store_timeout = std::chrono::seconds(10);
constexpr auto owner_timeout = std::chrono::seconds(3);  // another member's manager
constexpr int64_t tombstone_ms = 7 * 24 * 3600 * 1000LL;  // 410 rather than 404 this long

using session_promise = caf::typed_response_promise<upload_session_actor>;

// The public interface, the directory's updates and its own sweep timer.
using manager_actor = upload_manager_actor::extend<directory_update, caf::reacts_to<caf::tick_atom>>;

struct manager_state {
  upload_settings settings;
  directory_actor directory;
  peer_set peers;
  bool swept = false;  // the first sweep runs once the store is known
  std::unordered_map<std::string, upload_session_actor> sessions;
  // Opens waiting for a session being rebuilt, so one upload never gets two.
  std::unordered_map<std::string, std::vector<session_promise>> opening;
  // On a cluster: the other members' managers by tag (null while not up);
  // nothing until the cluster service told us.
  std::optional<std::unordered_map<std::string, upload_manager_actor>> members;
  static inline const char* name = "upload_manager";

  // Sessions are monitored, not linked (one failing must not take the others
  // down), so the manager stops them itself when it goes.
  ~manager_state() {
    for (const auto& entry : sessions)
      caf::anon_send_exit(entry.second, caf::exit_reason::user_shutdown);
  }
};

using manager_ptr = manager_actor::stateful_pointer<manager_state>;

upload_store_actor store_of(manager_ptr self) {
  return self->state.peers.get<service::upload_store>();
}

// On a cluster, the member an id belongs to when it is not this one.
bool foreign(const manager_state& st, const std::string& id) {
  return !st.settings.id_tag.empty() && id.compare(0, st.settings.id_tag.size(), st.settings.id_tag) != 0;
}

// The manager of the member holding `id`, or why there is none to ask.
caf::expected<upload_manager_actor> owner_of(const manager_state& st, const std::string& id) {
  if (!st.members)
    return make_error(errc::unavailable, "the cluster's members are not known yet; retry");
  auto it = st.members->find(id.substr(0, st.settings.id_tag.size()));
  if (it == st.members->end())
    return make_error(errc::gone, "the node that took this upload left the cluster; start the upload again");
  if (!it->second)
    return make_error(errc::unavailable, "the node that holds this upload does not answer; retry");
  return it->second;
}

// Passes a request on to the member that holds the upload; a member that
// does not answer in time is unavailable, not an error of the client's.
template <class T, class... Ts>
caf::result<T> forward(manager_ptr self, const std::string& id, Ts... xs) {
  auto owner = owner_of(self->state, id);
  if (!owner)
    return owner.error();
  auto rp = self->make_response_promise<T>();
  self->request(*owner, owner_timeout, xs...)
    .then([rp](T& answer) mutable { rp.deliver(std::move(answer)); },
          [rp](caf::error& e) mutable {
            rp.deliver(e == caf::sec::request_timeout
                         ? make_error(errc::unavailable, "the node that holds this upload does not answer; retry")
                         : std::move(e));
          });
  return rp;
}

metrics::counter& created_total() {
  static auto& c = metrics::global().get_counter("streamgate_uploads_created_total",
                                                 "tus uploads created");
  return c;
}
metrics::counter& expired_total() {
  static auto& c = metrics::global().get_counter("streamgate_uploads_expired_total",
                                                 "Uploads expired and reclaimed");
  return c;
}
metrics::gauge& live_sessions() {
  static auto& g = metrics::global().get_gauge("streamgate_upload_sessions",
                                               "Upload session actors alive");
  return g;
}

upload_session_actor start_session(manager_ptr self, const upload_info& info) {
  auto& st = self->state;
  auto h = spawn_upload_session(self->system(), info, st.settings, st.directory, st.peers);
  self->monitor(h);
  st.sessions.emplace(info.id, h);
  live_sessions().add(1);
  return h;
}

bool expired(const upload_info& u, int64_t now) {
  return u.state == upload_state::expired || (u.state == upload_state::active && u.expires_ms < now);
}

// Frees an expired upload's bytes; its record stays as a tombstone (410).
void reclaim(manager_ptr self, upload_info u) {
  auto& st = self->state;
  if (auto it = st.sessions.find(u.id); it != st.sessions.end())
    self->send_exit(it->second, caf::exit_reason::user_shutdown);
  if (auto media = st.peers.get<service::media>())
    self->request(media, store_timeout, caf::delete_atom::value, upload_atom::value, u.id)
      .then([](caf::ok_atom) {}, [](const caf::error&) {});
  u.state = upload_state::expired;
  self->request(store_of(self), store_timeout, caf::put_atom::value, u)
    .then([](caf::ok_atom) {}, [](const caf::error&) {});
  expired_total().inc();
  log::info("upload", "upload expired", {{"upload_id", u.id}});
}

void create_upload(manager_ptr self, upload_info info,
                   caf::typed_response_promise<upload_info> rp) {
  auto& st = self->state;
  self->request(store_of(self), store_timeout, create_atom::value, info, st.settings.quota_bytes)
    .then(
      [self, info, rp](caf::ok_atom) mutable {
        created_total().inc();
        auto session = start_session(self, info);
        if (!info.is_final()) {
          rp.deliver(info);
          return;
        }
        self->request(session, store_timeout * 6, finish_atom::value)
          .then([rp](const upload_info& done) mutable { rp.deliver(done); },
                [rp](const caf::error& e) mutable { rp.deliver(e); });
      },
      [rp](const caf::error& e) mutable { rp.deliver(e); });
}

// tus concatenation: every part must be a finished partial upload of the
// same owner.
void create_final(manager_ptr self, upload_info info,
                  caf::typed_response_promise<upload_info> rp) {
  struct gathering {
    std::vector<upload_info> parts;
    size_t pending = 0;
    bool failed = false;
  };
  auto g = std::make_shared<gathering>();
  g->parts.resize(info.spec.concat_parts.size());
  g->pending = g->parts.size();
  auto fail = [g, rp](caf::error e) mutable {
    if (!g->failed) {
      g->failed = true;
      rp.deliver(std::move(e));
    }
  };
  for (size_t i = 0; i < g->parts.size(); ++i) {
    const auto id = info.spec.concat_parts[i];
    self->request(store_of(self), store_timeout, caf::get_atom::value, upload_atom::value, id)
      .then(
        [self, g, i, info, rp, fail](const upload_info& part) mutable {
          if (g->failed)
            return;
          g->parts[i] = part;
          // Only the owner's own parts: anyone else's bytes (and their
          // deletion once joined) are not the caller's to take.
          if (part.spec.owner != info.spec.owner)
            return fail(make_error(errc::forbidden, "part " + part.id + " belongs to someone else"));
          if (!part.spec.partial || part.state != upload_state::active || !part.complete())
            return fail(make_error(errc::bad_request,
                                   "part " + part.id + " is not a complete partial upload"));
          if (--g->pending > 0)
            return;
          info.spec.length = 0;
          for (const auto& p : g->parts) {
            info.spec.concat_lengths.push_back(p.spec.length);
            info.spec.length += p.spec.length;
          }
          if (info.spec.length > self->state.settings.max_size)
            return fail(make_error(errc::too_large, "the parts together exceed Tus-Max-Size"));
          create_upload(self, std::move(info), rp);
        },
        [fail, id](const caf::error& e) mutable {
          fail(make_error(errc::bad_request, "part " + id + " does not exist"));
        });
  }
}

// Reclaims expired uploads, forgets old tombstones and finishes uploads a
// crash interrupted; `done` gets how many uploads it reclaimed.
void sweep(manager_ptr self, std::function<void(caf::expected<uint64_t>)> done) {
  self->request(store_of(self), store_timeout, list_atom::value, upload_atom::value)
    .then(
      [self, done](const std::vector<upload_info>& uploads) {
        auto& st = self->state;
        auto now = now_ms();
        uint64_t reclaimed = 0;
        for (const auto& u : uploads) {
          if (u.state == upload_state::active && u.expires_ms < now) {
            reclaim(self, u);
            ++reclaimed;
          } else if (u.state == upload_state::expired && u.expires_ms + tombstone_ms < now) {
            self->request(store_of(self), store_timeout, caf::delete_atom::value, upload_atom::value, u.id)
              .then([](caf::ok_atom) {}, [](const caf::error&) {});
          } else if (u.state == upload_state::active && !u.spec.partial && (u.complete() || u.is_final()) &&
                     st.sessions.count(u.id) == 0 && !foreign(st, u.id)) {
            // A crash came between the last byte and the video: finish now.
            log::info("upload", "finishing an interrupted upload", {{"upload_id", u.id}});
            self->request(start_session(self, u), store_timeout * 6, finish_atom::value)
              .then([](const upload_info&) {},
                    [id = u.id](const caf::error& e) {
                      log::error("upload", "recovery failed",
                                 {{"upload_id", id}, {"error", to_string(e)}});
                    });
          }
        }
        done(reclaimed);
      },
      [done](const caf::error& e) {
        log::warn("upload", "sweep failed", {{"error", to_string(e)}});
        done(e);
      });
}

manager_actor::behavior_type manager(manager_ptr self, upload_settings settings,
                                     directory_actor directory) {
  self->state.settings = std::move(settings);
  self->state.directory = directory;
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& sessions = self->state.sessions;
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      if (it->second.address() == dm.source) {
        sessions.erase(it);
        live_sessions().add(-1);
        return;
      }
    }
  });
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      auto& st = self->state;
      if (!sent_by(self, st.directory))
        return;
      st.peers.update(s, std::move(h));
      if (s == service::upload_store && st.peers.has(s) && !st.swept) {
        st.swept = true;  // recovery and expiry start once there is a store
        sweep(self, [](const caf::expected<uint64_t>&) {});
        self->delayed_send(self, std::chrono::seconds(st.settings.sweep_interval_s), caf::tick_atom::value);
      }
    },
    [self](create_atom, upload_spec spec) -> caf::result<upload_info> {
      auto& st = self->state;
      // A final upload is made where its parts are.
      if (!spec.concat_parts.empty() && foreign(st, spec.concat_parts.front())) {
        const auto first = spec.concat_parts.front();
        for (const auto& part : spec.concat_parts)
          if (part.compare(0, st.settings.id_tag.size(), first, 0, st.settings.id_tag.size()) != 0)
            return make_error(errc::bad_request, "the partial uploads were taken by different nodes");
        return forward<upload_info>(self, first, create_atom::value, std::move(spec));
      }
      if (!st.peers.has(service::upload_store))
        return make_error(errc::unavailable, "no upload store is running");
      if (spec.length > st.settings.max_size)
        return make_error(errc::too_large, "Upload-Length exceeds Tus-Max-Size");
      if (auto refused = check_free_space(st.settings))
        return *refused;
      upload_info info;
      info.id = new_upload_id(st.settings.id_tag);
      info.video_id = new_video_id();
      info.created_ms = now_ms();
      info.expires_ms = info.created_ms + st.settings.expiry_s * 1000;
      info.spec = std::move(spec);
      auto rp = self->make_response_promise<upload_info>();
      if (info.is_final())
        create_final(self, std::move(info), rp);
      else
        create_upload(self, std::move(info), rp);
      return rp;
    },
    [self](caf::open_atom, const std::string& id) -> caf::result<upload_session_actor> {
      auto& st = self->state;
      if (foreign(st, id))
        return forward<upload_session_actor>(self, id, caf::open_atom::value, id);
      if (!st.peers.has(service::upload_store))
        return make_error(errc::unavailable, "no upload store is running");
      if (auto it = st.sessions.find(id); it != st.sessions.end())
        return it->second;
      auto rp = self->make_response_promise<upload_session_actor>();
      auto& waiting = st.opening[id];
      waiting.push_back(rp);
      if (waiting.size() > 1)
        return rp;
      auto settle = [self, id](caf::expected<upload_session_actor> result) {
        auto& st = self->state;
        auto waiting = std::move(st.opening[id]);
        st.opening.erase(id);
        deliver_all(waiting, result);
      };
      self->request(store_of(self), store_timeout, caf::get_atom::value, upload_atom::value, id)
        .then(
          [self, settle](const upload_info& info) mutable {
            if (expired(info, now_ms())) {
              if (info.state == upload_state::active)
                reclaim(self, info);
              return settle(make_error(errc::gone, "the upload expired"));
            }
            auto& sessions = self->state.sessions;
            auto it = sessions.find(info.id);
            settle(it != sessions.end() ? it->second : start_session(self, info));
          },
          [settle](const caf::error& e) mutable { settle(e); });
      return rp;
    },
    [self](members_atom, const std::vector<offered_service>& members) {
      const auto& from = self->current_sender();
      if (from == nullptr || from->node() != self->node())
        return;  // only this node's cluster service says who the members are
      auto& known = self->state.members.emplace();
      for (const auto& m : members)
        known[id_tag(m.name)] = caf::actor_cast<upload_manager_actor>(m.handle);
    },
    [self](caf::tick_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      // A jobs service on this node sweeps on its uploads.sweep schedule;
      // without one (--roles without jobs) the manager sweeps by itself.
      auto jobs = self->state.peers.get<service::jobs>();
      if (!jobs || jobs.node() != self->node())
        sweep(self, [](const caf::expected<uint64_t>&) {});
      self->delayed_send(self, std::chrono::seconds(self->state.settings.sweep_interval_s), caf::tick_atom::value);
    },
    [self](sweep_atom) {
      auto rp = self->make_response_promise<uint64_t>();
      sweep(self, [rp](caf::expected<uint64_t> n) mutable {
        if (n)
          rp.deliver(*n);
        else
          rp.deliver(std::move(n.error()));
      });
      return rp;
    },
  };
}

}  // namespace

upload_manager_actor spawn_upload_manager(caf::actor_system& sys, const upload_settings& settings,
                                          directory_actor directory) {
  return actor_stats::spawn(sys, "uploads", manager, settings, std::move(directory));
}

}  // namespace sg
