#include "actors/metadata/metadata_store.hpp"

#include <filesystem>
#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/metadata/analytics_records.hpp"
#include "actors/metadata/catalog.hpp"
#include "actors/metadata/catalogue_records.hpp"
#include "actors/metadata/search_index.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

// The four client interfaces and the directory's updates (the media store
// removes a deleted video's files).
// ... and, from its local index, videos whose renditions were replaced.
// Its own steps too: a deleted category leaving its videos a slice at a time.
using store_actor = metadata_actor::extend<directory_update, caf::reacts_to<stale_atom, video_atom, std::string>,
                                           caf::reacts_to<sweep_atom, category_atom, std::string>>;

// Videos a deleted category leaves per message: other requests go between.
constexpr size_t unfile_slice = 256;

struct store_state {
  std::unique_ptr<database> db;  // closed with the state, when the actor ends
  std::unique_ptr<catalog> records;
  directory_actor directory;
  peer_set peers;
  // DELETEs of categories whose videos are still leaving them, answered then.
  std::map<std::string, std::vector<caf::typed_response_promise<caf::ok_atom>>> unfiling;
  static inline const char* name = "metadata_store";
};

using store_ptr = store_actor::stateful_pointer<store_state>;

caf::error not_found(const std::string& what, const std::string& id) {
  return make_error(errc::not_found, what + " " + id + " does not exist");
}

// A storage exception answers its caller and leaves the store running: 507
// for a full disk (the same write works once space returns), else 500.
template <class T, class F>
caf::result<T> guarded(F&& f) {
  try {
    return f();
  } catch (const log_unavailable& e) {
    log::warn("metadata", "the record log does not answer", {{"error", e.what()}});
    return make_error(errc::unavailable, "the cluster's records cannot be reached; try again shortly");
  } catch (const storage_failure& e) {
    log::error("metadata", "storage failure", {{"error", e.what()}, {"no_space", e.no_space}});
    if (e.no_space)
      return make_error(errc::insufficient_storage, "the server's disk is full; try again later");
    return make_error(errc::internal, "storage failure");
  } catch (const std::exception& e) {
    log::error("metadata", "storage failure", {{"error", e.what()}});
    return make_error(errc::internal, "storage failure");
  }
}

// A re-run: a new job for the owner's video, queued with it in one transaction.
// Queues a new job for the video (the transaction writes both).
job_info queue_job(record_txn& txn, video& v) {
  job_info j;
  j.id = random_hex(8);
  j.video_id = v.id;
  j.owner = v.owner;
  j.created_ms = j.updated_ms = now_ms();
  v.status = video_status::queued;
  v.progress = 0;
  v.error.clear();
  v.job_id = j.id;
  v.updated_ms = j.updated_ms;
  txn.put(j);
  txn.put(v);
  return j;
}

caf::result<job_info> new_job(catalog& db, const principal& who, const std::string& video_id) {
  caf::error refused;
  auto job = db.transact([&](record_txn& txn) -> std::optional<job_info> {
    refused = caf::error{};
    auto v = txn.get_video(video_id);
    if (!v) {
      refused = not_found("video", video_id);
      return std::nullopt;
    }
    if (!who.owns(v->owner)) {
      refused = make_error(errc::forbidden, "only the owner may re-run this video's transcode");
      return std::nullopt;
    }
    if (!v->job_id.empty())
      if (auto current = txn.get_job(v->job_id); current && current->active()) {
        refused = make_error(errc::conflict, "job " + current->id + " is already " + to_string(current->state));
        return std::nullopt;
      }
    return queue_job(txn, *v);
  });
  if (!job)
    return refused;
  return std::move(*job);
}

// A dead letter tried again: a new job for its video, when the failed job is
// still the video's latest and was not dismissed (the operator's retry).
caf::result<job_info> retry_job(catalog& db, const std::string& job_id) {
  caf::error refused;
  auto job = db.transact([&](record_txn& txn) -> std::optional<job_info> {
    refused = caf::error{};
    auto failed = txn.get_job(job_id);
    auto v = failed ? txn.get_video(failed->video_id) : std::nullopt;
    if (!failed || !v) {
      refused = not_found("job", job_id);
      return std::nullopt;
    }
    if (failed->state != job_state::failed || failed->dismissed || v->job_id != failed->id) {
      refused = make_error(errc::conflict, failed->state != job_state::failed ? "the job is " + to_string(failed->state)
                                           : failed->dismissed ? "the job was dismissed"
                                                               : "the video has a later job (" + v->job_id + ")");
      return std::nullopt;
    }
    return queue_job(txn, *v);
  });
  if (!job)
    return refused;
  return std::move(*job);
}

void apply(video& v, const video_patch& p) {
  if (p.has_category)
    v.category = p.category;
  if (p.has_title)
    v.title = p.title;
  if (p.has_description)
    v.description = p.description;
  if (p.has_tags)
    v.tags = p.tags;
  if (p.has_gate)
    v.access = p.access;
  v.updated_ms = now_ms();
}

// The owner's edit; a category it names must exist when it commits.
caf::result<video> edit_video(catalog& db, const principal& who, const std::string& id, const video_patch& patch) {
  caf::error refused;
  auto v = db.transact([&](record_txn& txn) -> std::optional<video> {
    auto v = txn.get_video(id);
    refused = !v                  ? not_found("video", id)
              : !who.owns(v->owner) ? make_error(errc::forbidden, "only the owner may edit this video")
              : patch.has_category  ? catalogue_records::refuse_category(txn, patch.category)
                                    : caf::error{};
    if (refused)
      return std::nullopt;
    apply(*v, patch);
    txn.put(*v);
    return v;
  });
  if (refused)
    return refused;
  return std::move(*v);
}

store_actor::behavior_type store(store_ptr self, const std::string& data_dir,
                                 directory_actor directory, record_log_factory open_log) {
  auto db_dir = data_dir + "/db";
  try {
    std::filesystem::create_directories(db_dir);
    self->state.db = std::make_unique<database>(db_dir);
    // The index may apply writes on the record log's thread: it tells this
    // actor by message (a weak handle: the state must not keep it alive).
    auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
    self->state.records = std::make_unique<catalog>(*self->state.db, open_log, [weak](const std::string& id) {
      if (auto strong = weak.lock())
        caf::anon_send(caf::actor_cast<caf::actor>(strong), stale_atom::value, video_atom::value, id);
    });
  } catch (const std::exception& e) {
    log::error("metadata", "cannot open the database", {{"error", e.what()}});
    self->quit(make_error(errc::unavailable, e.what()));
    return store_actor::behavior_type::make_empty_behavior();
  }
  log::info("metadata", "database open", {{"path", db_dir}});
  self->state.directory = directory;
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  auto& db = *self->state.records;
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (sent_by(self, self->state.directory))
        self->state.peers.update(s, std::move(h));
    },
    [self](stale_atom, video_atom, const std::string& id) {
      if (auto media = self->state.peers.get<service::media>())
        self->send(media, stale_atom::value, video_atom::value, id);
    },
    // video_store_actor
    [](caf::ping_atom) { return caf::pong_atom::value; },
    [&db](caf::get_atom, video_atom, const std::string& id) {
      return guarded<video>([&]() -> caf::result<video> {
        if (auto v = db.get_video(id))
          return std::move(*v);
        return not_found("video", id);
      });
    },
    [&db](query_atom, const video_query& q) {
      return guarded<video_page>([&]() -> caf::result<video_page> {
        if (!q.playlist.empty())
          return catalogue_records::playlist_videos(db, q);
        if (!q.cursor.empty() && !search::is_order_key(q.cursor))
          return make_error(errc::bad_request, "cursor is malformed");
        return db.query(q);
      });
    },
    [&db](caf::update_atom, const principal& who, const std::string& id, const video_patch& patch) {
      return guarded<video>([&]() -> caf::result<video> { return edit_video(db, who, id, patch); });
    },
    [self, &db](caf::delete_atom, const principal& who, const std::string& id) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        auto v = db.delete_video(id, [&](const video& v) { return who.owns(v.owner); });
        if (!v)
          return not_found("video", id);
        if (!who.owns(v->owner))
          return make_error(errc::forbidden, "only the owner may delete this video");
        if (auto media = self->state.peers.get<service::media>())
          self->request(media, std::chrono::seconds(30), caf::delete_atom::value, video_atom::value, id)
            .then([](caf::ok_atom) {},
                  [id](const caf::error& e) {
                    log::warn("metadata", "media left behind", {{"video_id", id}, {"error", to_string(e)}});
                  });
        return caf::ok_atom::value;
      });
    },
    [&db](caf::get_atom, usage_atom, const std::string& owner) {
      return guarded<uint64_t>([&]() -> caf::result<uint64_t> { return db.usage_of(owner); });
    },
    // upload_store_actor
    [&db](caf::get_atom, upload_atom, const std::string& id) {
      return guarded<upload_info>([&]() -> caf::result<upload_info> {
        if (auto u = db.get_upload(id))
          return std::move(*u);
        return not_found("upload", id);
      });
    },
    [&db](create_atom, const upload_info& u, uint64_t quota) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        if (!db.create_upload(u, quota))
          return make_error(errc::too_large, "this upload would exceed your storage quota of " +
                                               std::to_string(quota) + " bytes");
        return caf::ok_atom::value;
      });
    },
    [&db](caf::put_atom, const upload_info& u) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        db.put_upload(u);
        return caf::ok_atom::value;
      });
    },
    [&db](caf::delete_atom, upload_atom, const std::string& id) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        db.delete_upload(id);
        return caf::ok_atom::value;
      });
    },
    [&db](list_atom, upload_atom) {
      return guarded<std::vector<upload_info>>(
        [&]() -> caf::result<std::vector<upload_info>> { return db.list_uploads(); });
    },
    [&db](finish_atom, const upload_info& u, const video& v) {
      return guarded<video>([&]() -> caf::result<video> { return db.finish_upload(u, v); });
    },
    // job_store_actor
    [&db](caf::get_atom, job_atom, const std::string& id) {
      return guarded<job_info>([&]() -> caf::result<job_info> {
        if (auto j = db.get_job(id))
          return std::move(*j);
        return not_found("job", id);
      });
    },
    [&db](list_atom, job_atom, job_state state) {
      return guarded<std::vector<job_info>>(
        [&]() -> caf::result<std::vector<job_info>> { return db.latest_jobs_in(state); });
    },
    [&db](retry_atom, job_atom, const std::string& id) {
      return guarded<job_info>([&]() -> caf::result<job_info> { return retry_job(db, id); });
    },
    [&db](dismiss_atom, job_atom, const std::string& id) {
      return guarded<job_info>([&]() -> caf::result<job_info> {
        bool failed = false;
        auto j = db.dismiss_job(id, &failed);
        if (!j)
          return make_error(errc::not_found, "no such job");
        if (!failed)
          return make_error(errc::conflict, "only a failed job is dismissed; this one is " + to_string(j->state));
        return std::move(*j);
      });
    },
    [&db](list_atom, job_atom) {
      return guarded<std::vector<job_info>>(
        [&]() -> caf::result<std::vector<job_info>> { return db.active_jobs(); });
    },
    [&db](create_atom, const principal& who, const std::string& video_id) {
      return guarded<job_info>([&]() -> caf::result<job_info> { return new_job(db, who, video_id); });
    },
    [&db](state_atom, const video_state& s, const job_info& j) {
      return guarded<video>([&]() -> caf::result<video> {
        try {
          if (auto v = db.apply_state(s, j))
            return std::move(*v);
        } catch (const job_fenced& e) {
          return make_error(errc::conflict, e.what());
        }
        return not_found("video", s.video_id);
      });
    },
    [&db](claim_atom, const std::string& id, const std::string& node) {
      return guarded<job_info>([&]() -> caf::result<job_info> {
        if (auto j = db.claim_job(id, node))
          return std::move(*j);
        return make_error(errc::conflict, "job " + id + " is over or held by a live member");
      });
    },
    // auth_records_actor
    [&db](caf::put_atom, nonce_atom, const std::string& nonce, const std::string& record) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        db.put_nonce(nonce, record);
        return caf::ok_atom::value;
      });
    },
    [&db](caf::get_atom, nonce_atom, const std::string& nonce) {
      return guarded<std::string>([&]() -> caf::result<std::string> {
        if (auto v = db.get_nonce(nonce))
          return std::move(*v);
        return make_error(errc::not_found, "no such challenge");
      });
    },
    [&db](take_atom, nonce_atom, const std::string& nonce) {
      return guarded<std::string>([&]() -> caf::result<std::string> {
        if (auto v = db.take_nonce(nonce))
          return std::move(*v);
        return make_error(errc::not_found, "no such challenge");
      });
    },
    [&db](revoke_atom, const std::string& jti, int64_t expires_s) {
      return guarded<bool>([&]() -> caf::result<bool> { return db.revoke(jti, expires_s); });
    },
    [&db](caf::get_atom, revoked_atom, const std::string& jti) {
      return guarded<bool>([&]() -> caf::result<bool> { return db.is_revoked(jti); });
    },
    [&db](sweep_atom, nonce_atom) {
      return guarded<uint64_t>([&]() -> caf::result<uint64_t> { return db.sweep_auth(now_ms()); });
    },
    [&db](caf::get_atom, ops_atom, const std::string& key) {
      return guarded<std::string>([&]() -> caf::result<std::string> {
        if (auto v = db.get_ops(key))
          return std::move(*v);
        return make_error(errc::not_found, "no such record");
      });
    },
    [&db](list_atom, ops_atom, const std::string& prefix) {
      return guarded<std::vector<std::string>>(
        [&]() -> caf::result<std::vector<std::string>> { return db.list_ops(prefix); });
    },
    [&db](caf::put_atom, ops_atom, const std::string& key, const std::string& value) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        db.put_ops(key, value);
        return caf::ok_atom::value;
      });
    },
    [&db](caf::put_atom, ops_atom, const std::string& key, const std::string& value, const std::string& expected) {
      return guarded<bool>([&]() -> caf::result<bool> { return db.swap_ops(key, value, expected); });
    },
    // catalogue_store_actor
    [&db](list_atom, category_atom) {
      return guarded<std::vector<category>>([&] { return catalogue_records::list_categories(db); });
    },
    [&db](create_atom, const category& c) {
      return guarded<category>([&] { return catalogue_records::create_category(db, c); });
    },
    [&db](caf::update_atom, category_atom, const std::string& slug, const category_patch& p) {
      return guarded<category>([&] { return catalogue_records::edit_category(db, slug, p); });
    },
    [self, &db](caf::delete_atom, category_atom, const std::string& slug) -> caf::result<caf::ok_atom> {
      auto first = guarded<uint64_t>([&] { return catalogue_records::delete_category(db, slug, unfile_slice); });
      if (first.flag != caf::rt_value)
        return first.err;
      if (first.value.get_as<uint64_t>(0) < unfile_slice && self->state.unfiling.count(slug) == 0)
        return caf::ok_atom::value;
      auto& waiting = self->state.unfiling[slug];
      if (waiting.empty())
        self->send(self, sweep_atom::value, category_atom::value, slug);
      waiting.push_back(self->make_response_promise<caf::ok_atom>());
      return waiting.back();
    },
    [self, &db](sweep_atom, category_atom, const std::string& slug) {
      if (self->current_sender() != self->ctrl())
        return;  // our own steps only
      auto cleared = guarded<uint64_t>([&] { return catalogue_records::unfile_category(db, slug, unfile_slice); });
      if (cleared.flag == caf::rt_value && cleared.value.get_as<uint64_t>(0) == unfile_slice) {
        self->send(self, sweep_atom::value, category_atom::value, slug);
        return;
      }
      auto waiting = std::move(self->state.unfiling[slug]);
      self->state.unfiling.erase(slug);
      for (auto& promise : waiting) {
        if (cleared.flag == caf::rt_value)
          promise.deliver(caf::ok_atom::value);
        else
          promise.deliver(cleared.err);
      }
    },
    [&db](create_atom, const principal& who, const playlist& p) {
      return guarded<playlist>([&] { return catalogue_records::create_playlist(db, who, p); });
    },
    [&db](caf::get_atom, playlist_atom, const std::string& id) {
      return guarded<playlist>([&] { return catalogue_records::get_playlist(db, id); });
    },
    [&db](list_atom, playlist_atom, const principal& who, const std::string& owner, const std::string& cursor,
          uint32_t limit) {
      return guarded<std::vector<playlist>>(
          [&] { return catalogue_records::list_playlists(db, who, owner, cursor, limit); });
    },
    [&db](caf::update_atom, const principal& who, const std::string& id, const playlist_patch& p) {
      return guarded<playlist>([&] { return catalogue_records::edit_playlist(db, who, id, p); });
    },
    [&db](caf::delete_atom, playlist_atom, const principal& who, const std::string& id) {
      return guarded<caf::ok_atom>([&] { return catalogue_records::delete_playlist(db, who, id); });
    },
    // analytics_store_actor
    [&db](caf::put_atom, analytics_atom, const std::vector<view_stats_row>& rows) {
      return guarded<caf::ok_atom>([&] { return analytics_records::merge_rows(db, rows); });
    },
    [&db](list_atom, analytics_atom, const std::string& from, const std::string& to) {
      return guarded<std::vector<view_stats_row>>([&] { return analytics_records::rows_between(db, from, to); });
    },
    [&db](caf::get_atom, analytics_atom, const std::string& day) {
      return guarded<std::string>([&] { return analytics_records::salt_of(db, day); });
    },
    [&db](caf::delete_atom, analytics_atom, int64_t before_ms, uint32_t limit) {
      return guarded<uint64_t>([&] { return analytics_records::prune_rows(db, before_ms, limit); });
    },
  };
}

}  // namespace

metadata_actor spawn_metadata_store(caf::actor_system& sys, const std::string& data_dir,
                                    directory_actor directory, record_log_factory open_log) {
  return actor_stats::spawn<caf::detached>(sys, "metadata_store", store, data_dir, std::move(directory), std::move(open_log));
}

}  // namespace sg
