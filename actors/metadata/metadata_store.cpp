#include "actors/metadata/metadata_store.hpp"

#include <filesystem>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/metadata/catalog.hpp"
#include "actors/metadata/search_index.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

struct store_state {
  std::unique_ptr<database> db;  // closed with the state, when the actor ends
  std::unique_ptr<catalog> records;
  std::unique_ptr<data_paths> paths;
  static inline const char* name = "metadata_store";
};

using store_ptr = metadata_actor::stateful_pointer<store_state>;

caf::error not_found(const std::string& what, const std::string& id) {
  return make_error(errc::not_found, what + " " + id + " does not exist");
}

// A storage exception answers its caller and leaves the store running: 507
// for a full disk (the same write works once space returns), else 500.
template <class T, class F>
caf::result<T> guarded(F&& f) {
  try {
    return f();
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

void apply(video& v, const video_patch& p) {
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

metadata_actor::behavior_type store(store_ptr self, const std::string& data_dir) {
  try {
    self->state.paths = std::make_unique<data_paths>(data_dir);
    self->state.paths->create();
    self->state.db = std::make_unique<database>(self->state.paths->db_dir());
    self->state.records = std::make_unique<catalog>(*self->state.db);
  } catch (const std::exception& e) {
    log::error("metadata", "cannot open the database", {{"error", e.what()}});
    self->quit(make_error(errc::unavailable, e.what()));
    return metadata_actor::behavior_type::make_empty_behavior();
  }
  log::info("metadata", "database open", {{"path", self->state.paths->db_dir()}});
  auto& db = *self->state.records;
  return {
    [](caf::ping_atom) { return caf::pong_atom::value; },
    [&db](caf::get_atom, video_atom, const std::string& id) {
      return guarded<video>([&]() -> caf::result<video> {
        if (auto v = db.get_video(id))
          return std::move(*v);
        return not_found("video", id);
      });
    },
    [&db](caf::update_atom, const std::string& id, const video_patch& patch) {
      return guarded<video>([&]() -> caf::result<video> {
        auto old = db.get_video(id);
        if (!old)
          return not_found("video", id);
        auto fresh = *old;
        apply(fresh, patch);
        db.put_video(fresh, old);
        return fresh;
      });
    },
    [self, &db](caf::delete_atom, video_atom, const std::string& id) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        auto v = db.get_video(id);
        if (!v)
          return not_found("video", id);
        db.delete_video(*v);
        std::error_code ec;
        std::filesystem::remove_all(self->state.paths->video_dir(id), ec);
        if (ec)
          log::warn("metadata", "media left behind", {{"video_id", id}, {"error", ec.message()}});
        return caf::ok_atom::value;
      });
    },
    [&db](query_atom, const video_query& q) {
      return guarded<video_page>([&]() -> caf::result<video_page> {
        if (!q.cursor.empty() && !search::is_order_key(q.cursor))
          return make_error(errc::bad_request, "cursor is malformed");
        return db.query(q);
      });
    },
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
    [&db](caf::get_atom, usage_atom, const std::string& owner) {
      return guarded<uint64_t>([&]() -> caf::result<uint64_t> { return db.usage_of(owner); });
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
    [&db](caf::put_atom, const job_info& j) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        db.put_job(j);
        return caf::ok_atom::value;
      });
    },
    [&db](caf::get_atom, job_atom, const std::string& id) {
      return guarded<job_info>([&]() -> caf::result<job_info> {
        if (auto j = db.get_job(id))
          return std::move(*j);
        return not_found("job", id);
      });
    },
    [&db](list_atom, job_atom) {
      return guarded<std::vector<job_info>>(
        [&]() -> caf::result<std::vector<job_info>> { return db.active_jobs(); });
    },
    [&db](auth_atom, caf::put_atom, const std::string& key, const std::string& value) {
      return guarded<caf::ok_atom>([&]() -> caf::result<caf::ok_atom> {
        db.put_auth(key, value);
        return caf::ok_atom::value;
      });
    },
    [&db](auth_atom, create_atom, const std::string& key, const std::string& value) {
      return guarded<bool>([&]() -> caf::result<bool> { return db.create_auth(key, value); });
    },
    [&db](auth_atom, caf::get_atom, const std::string& key) {
      return guarded<std::string>([&]() -> caf::result<std::string> {
        if (auto v = db.get_auth(key))
          return std::move(*v);
        return make_error(errc::not_found, "no such record");
      });
    },
    [&db](auth_atom, take_atom, const std::string& key) {
      return guarded<std::string>([&]() -> caf::result<std::string> {
        if (auto v = db.take_auth(key))
          return std::move(*v);
        return make_error(errc::not_found, "no such record");
      });
    },
    [&db](auth_atom, sweep_atom) {
      return guarded<uint64_t>([&]() -> caf::result<uint64_t> { return db.sweep_auth(now_ms()); });
    },
    [&db](state_atom, const video_state& s, const job_info& j) {
      return guarded<video>([&]() -> caf::result<video> {
        if (auto v = db.apply_state(s, j))
          return std::move(*v);
        return not_found("video", s.video_id);
      });
    },
  };
}

}  // namespace

metadata_actor spawn_metadata_store(caf::actor_system& sys, const std::string& data_dir) {
  return sys.spawn<caf::detached>(store, data_dir);
}

}  // namespace sg
