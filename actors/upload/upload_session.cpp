#include "actors/upload/upload_session.hpp"

#include <filesystem>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/upload/disk_space.hpp"
#include "runtime/part_file.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/promises.hpp"
#include "runtime/media_files.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

namespace fs = std::filesystem;
constexpr auto store_timeout = std::chrono::seconds(10);
// Copying a source of many GiB to the shared store (S3) takes minutes.
constexpr auto share_timeout = std::chrono::minutes(15);
constexpr int64_t lease_timeout_ms = 120'000;  // a PATCH silent this long is gone

struct lease {
  uint64_t id = 0;
  caf::actor_addr holder;  // the PATCH's sender, monitored
  uint64_t written = 0;
  std::unique_ptr<checksum> sum;
  int64_t touched_ms = 0;
};

struct session_state {
  upload_info info;
  upload_settings settings;
  directory_actor directory;
  peer_set peers;
  std::optional<media_files> media;
  std::unique_ptr<part_file> file;
  std::optional<lease> active;
  uint64_t next_lease = 1;
  bool committing = false;
  bool finishing = false;
  std::vector<caf::typed_response_promise<upload_info>> finish_waiters;
  int64_t touched_ms = 0;
  static inline const char* name = "upload_session";

  bool holds(uint64_t id) const { return active && active->id == id && !committing; }
  // Past its expiry an upload is gone at once, not only once the sweep
  // reclaims it: no HEAD, and no PATCH that would extend it again.
  bool expired() const { return info.state == upload_state::active && info.expires_ms < now_ms(); }
  // Drops the lease's bytes: the file goes back to the acknowledged offset.
  void drop_lease() {
    active.reset();
    try {
      if (file)
        file->truncate(info.offset);
    } catch (const std::exception& e) {
      // The next session start trims the file again.
      log::error("upload", "cannot trim the upload", {{"upload_id", info.id}, {"error", e.what()}});
    }
  }
};

// The public interface, the directory's updates and the session's idle timer.
using session_actor = upload_session_actor::extend<directory_update, caf::reacts_to<idle_check_atom>>;

using session_ptr = session_actor::stateful_pointer<session_state>;

upload_store_actor store_of(session_ptr self) {
  return self->state.peers.get<service::upload_store>();
}

metrics::counter& bytes_received() {
  static auto& c = metrics::global().get_counter(
    "streamgate_upload_bytes_total", "Upload bytes made durable and acknowledged");
  return c;
}
metrics::counter& uploads_completed() {
  static auto& c = metrics::global().get_counter(
    "streamgate_uploads_completed_total", "Uploads that became videos");
  return c;
}
metrics::counter& checksum_failures() {
  static auto& c = metrics::global().get_counter(
    "streamgate_upload_checksum_failures_total", "PATCHes refused with 460");
  return c;
}

caf::error not_owner() {
  return make_error(errc::forbidden, "only the owner may do this");
}

caf::error not_leased() {
  return make_error(errc::conflict, "this PATCH no longer holds the upload");
}

video video_of(const upload_info& u) {
  video v;
  v.id = u.video_id;
  v.title = !u.spec.title.empty() ? u.spec.title
            : !u.spec.filename.empty() ? u.spec.filename
                                       : "Untitled";
  v.description = u.spec.description;
  v.tags = u.spec.tags;
  v.owner = u.spec.owner;
  v.filename = u.spec.filename;
  v.status = video_status::queued;
  v.source_bytes = u.spec.length;
  v.created_ms = v.updated_ms = now_ms();
  v.job_id = random_hex(8);  // stored with the video: the transcode is queued atomically
  return v;
}

void deliver_finish(session_ptr self, const caf::expected<upload_info>& result) {
  auto& st = self->state;
  st.finishing = false;
  deliver_all(st.finish_waiters, result);
}

void record_video(session_ptr self);

// The complete upload's bytes become the video's source, then one atomic write
// marks the upload finished and creates the video. Both steps are idempotent,
// so recovery after a crash between them simply runs this again.
void make_video(session_ptr self) {
  auto& st = self->state;
  try {
    st.file.reset();
    st.media->commit_source(st.info.id, st.info.video_id);
  } catch (const std::exception& e) {
    log::error("upload", "cannot move the upload to media",
               {{"upload_id", st.info.id}, {"error", e.what()}});
    deliver_finish(self, make_error(errc::internal, "cannot store the upload"));
    return;
  }
  // On a cluster the source goes to the shared store first: the video's
  // record must not name a source other nodes cannot read.
  auto media = st.peers.get<service::media>();
  if (!media) {
    record_video(self);
    return;
  }
  self->request(media, share_timeout, caf::put_atom::value, video_atom::value, st.info.video_id)
    .then([self](caf::ok_atom) { record_video(self); },
          [self](const caf::error& e) {
            log::error("upload", "cannot share the upload's source",
                       {{"upload_id", self->state.info.id}, {"error", to_string(e)}});
            deliver_finish(self, e);
          });
}

void record_video(session_ptr self) {
  auto& st = self->state;
  self->request(store_of(self), store_timeout, finish_atom::value, st.info, video_of(st.info))
    .then(
      [self](const video& v) {
        auto& st = self->state;
        st.info.state = upload_state::finished;
        uploads_completed().inc();
        log::info("upload", "upload finished",
                  {{"upload_id", st.info.id}, {"video_id", v.id}, {"bytes", st.info.spec.length}});
        deliver_finish(self, st.info);
        if (auto jobs = st.peers.get<service::jobs>())
          self->send(jobs, event_atom::value,
                     webhook_event{"upload.completed", v.owner, v.id,
                                   dump_json({{"upload_id", st.info.id}, {"bytes", st.info.spec.length},
                                              {"title", v.title}}),
                                   now_ms()});
        if (auto transcoder = st.peers.get<service::transcoder>())
          self->send(transcoder, kick_atom::value, v.job_id);
        // A final upload's parts are spent now.
        for (const auto& part : st.info.spec.concat_parts) {
          st.media->remove_part(part);
          self->request(store_of(self), store_timeout, caf::delete_atom::value, upload_atom::value, part)
            .then([](caf::ok_atom) {}, [](const caf::error&) {});
        }
      },
      [self](const caf::error& e) { deliver_finish(self, e); });
}

void join_parts(session_ptr self) {
  auto& st = self->state;
  const auto& spec = st.info.spec;
  try {
    st.file->truncate(0);
    for (size_t i = 0; i < spec.concat_parts.size(); ++i)
      st.media->append_part(*st.file, spec.concat_parts[i], spec.concat_lengths.at(i));
    st.file->sync();
  } catch (const std::exception& e) {
    log::error("upload", "cannot join parts", {{"upload_id", st.info.id}, {"error", e.what()}});
    deliver_finish(self, make_error(errc::internal, "cannot join the parts"));
    return;
  }
  st.info.offset = spec.length;
  make_video(self);
}

void commit(session_ptr self, caf::typed_response_promise<upload_info> rp) {
  auto& st = self->state;
  auto next = st.info;
  next.offset += st.active->written;
  next.expires_ms = now_ms() + st.settings.expiry_s * 1000;
  st.committing = true;
  self->request(store_of(self), store_timeout, caf::put_atom::value, next)
    .then(
      [self, rp, next](caf::ok_atom) mutable {
        auto& st = self->state;
        bytes_received().inc(next.offset - st.info.offset);
        st.info = next;
        st.active.reset();
        st.committing = false;
        if (!next.complete() || next.spec.partial) {
          rp.deliver(next);
          return;
        }
        st.finishing = true;
        st.finish_waiters.push_back(rp);
        make_video(self);
      },
      [self, rp](const caf::error& e) mutable {
        auto& st = self->state;
        st.committing = false;
        st.drop_lease();
        rp.deliver(e);
      });
}

session_actor::behavior_type session_behavior(session_ptr self, upload_info info, upload_settings settings,
                                              directory_actor directory, peer_set peers) {
  auto& st = self->state;
  st.info = std::move(info);
  st.settings = std::move(settings);
  st.directory = directory;
  st.peers = std::move(peers);
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  st.media.emplace(st.settings.data_dir);
  st.touched_ms = now_ms();
  if (st.info.state == upload_state::active) {
    try {
      st.file = st.media->open_part(st.info.id);
      if (!st.info.is_final() && st.file->size() != st.info.offset)
        st.file->truncate(st.info.offset);  // unacknowledged bytes of a crash
    } catch (const std::exception& e) {
      log::error("upload", "cannot open the upload's file",
                 {{"upload_id", st.info.id}, {"error", e.what()}});
      self->quit(make_error(errc::internal, e.what()));
      return session_actor::behavior_type::make_empty_behavior();
    }
  }
  self->delayed_send(self, std::chrono::seconds(std::max(1, st.settings.idle_timeout_s / 2)),
                     idle_check_atom::value);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (st.active && st.active->holder == dm.source && !st.committing) {
      log::warn("upload", "a PATCH's sender is gone; its unacknowledged bytes dropped",
                {{"upload_id", st.info.id}, {"reason", to_string(dm.reason)}});
      st.drop_lease();
    }
  });
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (sent_by(self, self->state.directory))
        self->state.peers.update(s, std::move(h));
    },
    [self](caf::get_atom, const principal& who) -> caf::result<upload_info> {
      if (!who.owns(self->state.info.spec.owner))
        return not_owner();
      if (self->state.expired())
        return make_error(errc::gone, "the upload expired");
      return self->state.info;
    },
    [self](caf::open_atom, const principal& who, uint64_t offset,
           const std::string& algorithm) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (!who.owns(st.info.spec.owner))
        return not_owner();
      st.touched_ms = now_ms();
      if (st.expired())
        return make_error(errc::gone, "the upload expired");
      if (auto refused = check_free_space(st.settings))
        return *refused;
      if (st.info.is_final())
        return make_error(errc::forbidden, "a final upload cannot be patched");
      if (st.info.state != upload_state::active || st.finishing)
        return make_error(errc::offset_mismatch, "the upload is complete");
      if (st.active)
        return make_error(errc::conflict, "another PATCH is writing this upload");
      if (offset != st.info.offset)
        return make_error(errc::offset_mismatch, "Upload-Offset is " + std::to_string(offset) +
                                                   ", the upload is at " +
                                                   std::to_string(st.info.offset));
      lease l;
      l.id = st.next_lease++;
      l.touched_ms = st.touched_ms;
      if (!algorithm.empty())
        l.sum = checksum::make(algorithm);
      // A PATCH whose sender is gone (its node killed or cut off, its
      // thread ended) frees the upload at once, not after lease_timeout_ms:
      // a client that lost its relay resumes through another node.
      if (auto sender = self->current_sender()) {
        l.holder = caf::actor_cast<caf::actor_addr>(sender);
        self->monitor(sender);
      }
      st.active = std::move(l);
      return st.active->id;
    },
    [self](chunk_atom, uint64_t id, const std::vector<char>& bytes) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (!st.holds(id))
        return not_leased();
      auto& l = *st.active;
      auto at = st.info.offset + l.written;
      if (bytes.size() > st.info.spec.length - at) {
        st.drop_lease();
        return make_error(errc::too_large, "the body goes past Upload-Length");
      }
      try {
        st.file->write_at(at, bytes.data(), bytes.size());
        st.file->start_writeback(at, bytes.size());
      } catch (const std::system_error& e) {
        log::error("upload", "write failed", {{"upload_id", st.info.id}, {"error", e.what()}});
        st.drop_lease();
        return write_failure(e);
      }
      if (l.sum)
        l.sum->update(bytes.data(), bytes.size());
      l.written += bytes.size();
      l.touched_ms = st.touched_ms = now_ms();
      return l.written;
    },
    [self](commit_atom, uint64_t id, const std::string& expected) -> caf::result<upload_info> {
      auto& st = self->state;
      if (!st.holds(id))
        return not_leased();
      if (!expected.empty() && (!st.active->sum || st.active->sum->digest() != expected)) {
        st.drop_lease();
        checksum_failures().inc();
        return make_error(errc::checksum_mismatch, "Upload-Checksum does not match the body");
      }
      try {
        st.file->sync();
      } catch (const std::system_error& e) {
        log::error("upload", "sync failed", {{"upload_id", st.info.id}, {"error", e.what()}});
        st.drop_lease();
        return write_failure(e);
      }
      auto rp = self->make_response_promise<upload_info>();
      commit(self, rp);
      return rp;
    },
    [self](abort_atom, uint64_t id) {
      if (self->state.holds(id))
        self->state.drop_lease();
    },
    [self](finish_atom) -> caf::result<upload_info> {
      auto& st = self->state;
      if (st.info.state == upload_state::finished)
        return st.info;
      if (st.info.state != upload_state::active || (!st.info.is_final() && !st.info.complete()))
        return make_error(errc::conflict, "the upload is not complete");
      auto rp = self->make_response_promise<upload_info>();
      st.finish_waiters.push_back(rp);
      if (!st.finishing) {
        st.finishing = true;
        if (st.info.is_final() && !st.info.complete())
          join_parts(self);
        else
          make_video(self);
      }
      return rp;
    },
    [self](caf::delete_atom, const principal& who) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (!who.owns(st.info.spec.owner))
        return not_owner();
      if (st.committing || st.finishing)
        return make_error(errc::conflict, "the upload is being committed");
      st.active.reset();
      st.file.reset();
      st.media->remove_part(st.info.id);
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(store_of(self), store_timeout, caf::delete_atom::value, upload_atom::value, st.info.id)
        .then(
          [self, rp](caf::ok_atom) mutable {
            log::info("upload", "upload terminated", {{"upload_id", self->state.info.id}});
            rp.deliver(caf::ok_atom::value);
            self->quit();
          },
          [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [self](idle_check_atom) {
      auto& st = self->state;
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      auto now = now_ms();
      if (st.active && !st.committing && now - st.active->touched_ms > lease_timeout_ms) {
        log::warn("upload", "abandoned PATCH dropped", {{"upload_id", st.info.id}});
        st.drop_lease();
      }
      if (!st.active && !st.committing && !st.finishing &&
          now - st.touched_ms > int64_t{st.settings.idle_timeout_s} * 1000) {
        self->quit();
        return;
      }
      self->delayed_send(self, std::chrono::seconds(std::max(1, st.settings.idle_timeout_s / 2)),
                         idle_check_atom::value);
    },
  };
}

}  // namespace

upload_session_actor spawn_upload_session(caf::actor_system& sys, upload_info info,
                                          const upload_settings& settings,
                                          directory_actor directory, peer_set peers) {
  return actor_stats::spawn<caf::detached>(sys, "upload_session", session_behavior, std::move(info), settings, std::move(directory),
                                  std::move(peers));
}

}  // namespace sg
