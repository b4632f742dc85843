#include "gateway/open_file_cache.hpp"

#include <sys/stat.h>

#include <chrono>
#include <unordered_map>

namespace sg {

namespace {

using steady = std::chrono::steady_clock;
constexpr auto reuse_for = std::chrono::seconds(1);
constexpr size_t most_files = 64;  // per thread: descriptors stay few

struct cached {
  std::shared_ptr<const open_file> file;
  steady::time_point until;
};

}  // namespace

std::shared_ptr<const open_file> open_rendition_cached(media_files& media, const std::string& video_id,
                                                       const std::string& name) {
  thread_local std::unordered_map<std::string, cached> files;
  auto now = steady::now();
  auto key = video_id + '/' + name;
  if (auto it = files.find(key); it != files.end()) {
    if (now < it->second.until)
      return it->second.file;
    files.erase(it);
  }
  struct stat st {};
  int fd = media.open_rendition(video_id, name, &st);
  if (fd < 0)
    return nullptr;
  auto file = std::make_shared<const open_file>(fd, static_cast<uint64_t>(st.st_size),
                                                st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
  if (files.size() >= most_files) {
    for (auto it = files.begin(); it != files.end();)
      it = now < it->second.until ? std::next(it) : files.erase(it);
    if (files.size() >= most_files)
      files.clear();
  }
  files[key] = {file, now + reuse_for};
  return file;
}

}  // namespace sg
