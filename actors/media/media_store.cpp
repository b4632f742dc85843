#include "actors/media/media_store.hpp"

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/media_files.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

struct media_state {
  std::shared_ptr<media_files> files;
  static inline const char* name = "media_store";
};

using media_ptr = media_store_actor::stateful_pointer<media_state>;

// An open rendition file, closed when it goes.
struct open_file {
  int fd = -1;
  struct stat st {};
  ~open_file() {
    if (fd >= 0)
      ::close(fd);
  }
};

// The object store's failures are transient for the caller (503, a retry).
template <class F>
caf::result<caf::ok_atom> sharing(const std::string& what, const std::string& video, F&& f) {
  try {
    f();
    return caf::ok_atom::value;
  } catch (const std::exception& e) {
    log::warn("media", "cannot " + what, {{"video_id", video}, {"error", e.what()}});
    return make_error(errc::unavailable, "cannot " + what + ": " + e.what());
  }
}

media_store_actor::behavior_type media_store(media_ptr self, std::shared_ptr<media_files> shared) {
  self->state.files = std::move(shared);
  auto& files = *self->state.files;
  auto open = [&files](const std::string& video, const std::string& name, open_file& f) {
    f.fd = files.open_rendition(video, name, &f.st);
    return f.fd >= 0;
  };
  return {
    [&files](locate_atom, const std::string& video) -> caf::result<media_paths> {
      try {
        auto where = files.locate(video);
        return media_paths{where.source, where.work_dir, where.publish_dir};
      } catch (const std::exception& e) {
        return make_error(errc::unavailable, std::string{"cannot fetch the source: "} + e.what());
      }
    },
    [&files](caf::put_atom, video_atom, const std::string& video) {
      return sharing("share the source", video, [&] { files.share_source(video); });
    },
    [&files](caf::publish_atom, video_atom, const std::string& video) {
      return sharing("share the renditions", video, [&] { files.share_renditions(video); });
    },
    [&files](stale_atom, video_atom, const std::string& video) { files.forget_renditions(video); },
    [&files](caf::delete_atom, video_atom, const std::string& video) {
      if (!files.remove_video(video))
        log::warn("media", "media left behind", {{"video_id", video}});
      return caf::ok_atom::value;
    },
    [&files](caf::delete_atom, upload_atom, const std::string& upload) {
      files.remove_part(upload);
      return caf::ok_atom::value;
    },
    [open](caf::get_atom, media_atom, const std::string& video,
           const std::string& name) -> caf::result<media_stat> {
      open_file f;
      if (!open(video, name, f))
        return make_error(errc::not_found, "no such file");
      return media_stat{static_cast<uint64_t>(f.st.st_size),
                        f.st.st_mtim.tv_sec * 1'000'000'000LL + f.st.st_mtim.tv_nsec};
    },
    [open](caf::get_atom, media_atom, const std::string& video, const std::string& name,
           uint64_t offset, uint32_t length) -> caf::result<std::vector<char>> {
      open_file f;
      if (!open(video, name, f))
        return make_error(errc::not_found, "no such file");
      std::vector<char> out(std::min(length, max_media_read));
      auto n = ::pread(f.fd, out.data(), out.size(), static_cast<off_t>(offset));
      if (n < 0)
        return make_error(errc::internal, "cannot read the file");
      out.resize(static_cast<size_t>(n));
      return out;
    },
  };
}

}  // namespace

media_store_actor spawn_media_store(caf::actor_system& sys, std::shared_ptr<media_files> files) {
  return actor_stats::spawn<caf::detached>(sys, "media", media_store, std::move(files));
}

}  // namespace sg
