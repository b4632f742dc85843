#pragma once
// The directory: which actor serves each service. Services and the gateway
// find their peers here by name instead of holding handles captured at spawn;
// subscribers hear of every change. On one node it holds local handles; the
// cluster fills it with remote ones and the services never notice.
// docs/architecture.md §Directory.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/admin_actor.hpp"
#include "messages/analytics_actor.hpp"
#include "messages/auth_actor.hpp"
#include "messages/cache_actor.hpp"
#include "messages/cluster_actor.hpp"
#include "messages/jobs_actor.hpp"
#include "messages/media_actor.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/monitor_actor.hpp"
#include "messages/nft_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"

namespace sg {

enum class service : uint8_t {
  video_store,
  upload_store,
  job_store,
  auth_records,
  uploads,     // upload_manager
  transcoder,  // transcode_supervisor
  auth,        // auth_service
  access,      // nft_verifier: token-gate checks
  cache,       // the cache façade
  media,       // media_store: upload parts, sources, renditions
  cluster,     // the cluster service: members (clustered nodes only)
  monitor,     // the monitor: process samples, recent log lines
  ops_store,   // metadata_store: the jobs service's records
  jobs,        // the jobs service: schedules, webhooks, deliveries
  admin,       // the admin door: the node's effective settings (clustered nodes offer it)
  catalogue,   // metadata_store: categories and playlists
  analytics_store,  // metadata_store: analytics rows and daily salts
  analytics,   // view_aggregator: players' events, reports
};
constexpr size_t service_count = 18;

constexpr std::array<std::string_view, service_count> service_names{
  "video_store", "upload_store", "job_store", "auth_records", "uploads",
  "transcoder",  "auth",         "access",    "cache",        "media",
  "cluster",     "monitor",      "ops_store", "jobs",         "admin",
  "catalogue",   "analytics_store", "analytics"};

inline std::string to_string(service s) {
  return std::string{service_names.at(static_cast<size_t>(s))};
}

/// The service of that name; false when there is none.
inline bool service_from(std::string_view name, service& out) {
  for (size_t i = 0; i < service_count; ++i)
    if (service_names[i] == name) {
      out = static_cast<service>(i);
      return true;
    }
  return false;
}

using directory_actor = caf::typed_actor<
  // Names the local actor serving a service; a null handle withdraws it. An
  // entry goes by itself when its actor terminates.
  caf::reacts_to<caf::put_atom, service, caf::actor>,
  // A service offered by the cluster member with this id (a remote handle;
  // null withdraws it). It goes by itself when its connection breaks.
  caf::reacts_to<caf::put_atom, service, caf::actor, std::string>,
  // Withdraws everything the member with this id offered.
  caf::reacts_to<caf::delete_atom, std::string>,
  // The actor serving a service: the local one, else the offer of the
  // member with the smallest id (errc::unavailable when none).
  caf::replies_to<caf::get_atom, service>::with<caf::actor>,
  // The actor the member with this id offers for a service (errc::unavailable
  // when it offers none, or is not up).
  caf::replies_to<caf::get_atom, service, std::string>::with<caf::actor>,
  // The subscriber receives an update for every entry now and every change
  // later, until it terminates.
  caf::reacts_to<caf::subscribe_atom, caf::actor>>;

/// What a subscriber handles (not part of any public interface: the
/// directory is the only sender it listens to).
using directory_update = caf::reacts_to<caf::update_atom, service, caf::actor>;
using directory_subscriber = caf::typed_actor<directory_update>;

/// The typed handle of each service.
template <service S> struct service_handle;
template <> struct service_handle<service::video_store> { using type = video_store_actor; };
template <> struct service_handle<service::upload_store> { using type = upload_store_actor; };
template <> struct service_handle<service::job_store> { using type = job_store_actor; };
template <> struct service_handle<service::auth_records> { using type = auth_records_actor; };
template <> struct service_handle<service::uploads> { using type = upload_manager_actor; };
template <> struct service_handle<service::transcoder> { using type = transcode_actor; };
template <> struct service_handle<service::auth> { using type = auth_actor; };
template <> struct service_handle<service::access> { using type = nft_actor; };
template <> struct service_handle<service::cache> { using type = cache_actor; };
template <> struct service_handle<service::media> { using type = media_store_actor; };
template <> struct service_handle<service::cluster> { using type = cluster_actor; };
template <> struct service_handle<service::monitor> { using type = monitor_actor; };
template <> struct service_handle<service::ops_store> { using type = ops_store_actor; };
template <> struct service_handle<service::jobs> { using type = jobs_actor; };
template <> struct service_handle<service::admin> { using type = admin_actor; };
template <> struct service_handle<service::catalogue> { using type = catalogue_store_actor; };
template <> struct service_handle<service::analytics_store> { using type = analytics_store_actor; };
template <> struct service_handle<service::analytics> { using type = analytics_actor; };

/// True when the message `self` handles now came from `from` (a directory
/// update, or a timer of its own, from anyone else is ignored).
template <class Self, class Handle>
bool sent_by(Self* self, const Handle& from) {
  return from && caf::actor_cast<caf::actor_addr>(self->current_sender()) == from.address();
}

/// An actor's view of its peers, kept current from directory updates.
class peer_set {
public:
  void update(service s, caf::actor h) { handles_[static_cast<size_t>(s)] = std::move(h); }

  template <service S>
  typename service_handle<S>::type get() const {
    return caf::actor_cast<typename service_handle<S>::type>(handles_[static_cast<size_t>(S)]);
  }

  bool has(service s) const { return static_cast<bool>(handles_[static_cast<size_t>(s)]); }

private:
  std::array<caf::actor, service_count> handles_;
};

}  // namespace sg
