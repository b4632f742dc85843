#include "actors/upload/disk_space.hpp"

#include <cerrno>

#include "messages/errors.hpp"
#include "runtime/metrics.hpp"
#include "runtime/storage.hpp"

namespace sg {

namespace {
metrics::counter& refused() {
  static auto& c = metrics::global().get_counter(
    "streamgate_uploads_refused_no_space_total", "Upload requests refused for lack of disk space");
  return c;
}
}  // namespace

std::optional<caf::error> check_free_space(const upload_settings& s) {
  auto free = free_bytes(s.data_dir);
  if (free >= s.min_free_bytes)
    return std::nullopt;
  refused().inc();
  return make_error(errc::insufficient_storage, "the server is low on disk space (" +
                                                  std::to_string(free) + " bytes free); try again later");
}

caf::error write_failure(const std::system_error& e) {
  if (e.code().value() == ENOSPC || e.code().value() == EDQUOT) {
    refused().inc();
    return make_error(errc::insufficient_storage, "the server's disk is full; try again later");
  }
  return make_error(errc::internal, "cannot store the upload");
}

}  // namespace sg
