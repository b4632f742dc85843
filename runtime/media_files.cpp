#include "runtime/media_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

namespace sg {

namespace fs = std::filesystem;

namespace {

// The renditions a shared video has in the store, one name per line: what
// a later transcode replaces and a delete removes.
const std::string manifest_name = ".manifest";

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      out.insert(line);
  return out;
}

}  // namespace

media_files::media_files(std::string data_dir, std::shared_ptr<object_store> shared, uint64_t cache_bytes)
    : root_(std::move(data_dir)), shared_(std::move(shared)), cache_bytes_(cache_bytes) {}

void media_files::create() {
  fs::create_directories(root_ + "/uploads");
  fs::create_directories(root_ + "/media");
  if (!shared_)
    return;
  // What an earlier run left here counts against the bound, oldest first.
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  for (auto it = fs::recursive_directory_iterator(root_ + "/media"); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == ".work") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file())
      found.emplace_back(it->last_write_time(), it->path());
  }
  std::sort(found.begin(), found.end());
  for (const auto& [when, path] : found)
    remember(path.string(), fs::file_size(path));
}

std::string media_files::part_path(const std::string& upload_id) const {
  return root_ + "/uploads/" + upload_id + ".part";
}

std::string media_files::video_dir(const std::string& video_id) const {
  return root_ + "/media/" + video_id;
}

std::string media_files::object_key(const std::string& video_id, const std::string& name) {
  return "videos/" + video_id + "/" + name;
}

std::unique_ptr<part_file> media_files::open_part(const std::string& upload_id) const {
  fs::create_directories(root_ + "/uploads");
  return std::make_unique<part_file>(part_path(upload_id));
}

void media_files::append_part(part_file& into, const std::string& part_id, uint64_t length) const {
  into.append_file(part_path(part_id), length);
}

void media_files::remove_part(const std::string& upload_id) const noexcept {
  std::error_code ec;
  fs::remove(part_path(upload_id), ec);
}

void media_files::commit_source(const std::string& upload_id, const std::string& video_id) const {
  fs::create_directories(video_dir(video_id));
  if (fs::exists(part_path(upload_id)))
    fs::rename(part_path(upload_id), video_dir(video_id) + "/source");
}

void media_files::share_source(const std::string& video_id) {
  if (!shared_)
    return;
  auto path = video_dir(video_id) + "/source";
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec)
    throw object_store_failure("the source of " + video_id + " is not here to share");
  shared_->store(object_key(video_id, "source"), path);
  remember(path, size);
}

void media_files::share_renditions(const std::string& video_id) {
  if (!shared_)
    return;
  auto dir = video_dir(video_id);
  std::set<std::string> names;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    auto rel = fs::relative(it->path(), dir).string();
    if (it->is_directory() && rel == ".work") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && rel != "source" && rel != manifest_name)
      names.insert(rel);
  }
  auto earlier = lines_of(shared_->read(object_key(video_id, manifest_name)).value_or(""));
  for (const auto& name : names) {
    shared_->store(object_key(video_id, name), dir + "/" + name);
    remember(dir + "/" + name, fs::file_size(dir + "/" + name));
  }
  std::string manifest;
  for (const auto& name : names)
    manifest += name + "\n";
  shared_->write(object_key(video_id, manifest_name), manifest);
  for (const auto& name : earlier)
    if (names.count(name) == 0)
      shared_->remove(object_key(video_id, name));
}

media_location media_files::locate(const std::string& video_id) {
  auto dir = video_dir(video_id);
  media_location where{dir + "/source", dir + "/.work", dir};
  if (shared_ && !fs::exists(where.source) && !fetch(video_id, "source"))
    throw object_store_failure("the store has no source for " + video_id);
  return where;
}

bool media_files::remove_video(const std::string& video_id) noexcept {
  bool removed = true;
  if (shared_) {
    try {
      auto manifest = shared_->read(object_key(video_id, manifest_name));
      for (const auto& name : lines_of(manifest.value_or("")))
        shared_->remove(object_key(video_id, name));
      shared_->remove(object_key(video_id, "source"));
      shared_->remove(object_key(video_id, manifest_name));
    } catch (const std::exception&) {
      removed = false;
    }
    std::lock_guard<std::mutex> lock{cache_mutex_};
    auto prefix = video_dir(video_id) + "/";
    std::vector<std::string> gone;
    for (const auto& path : lru_)
      if (path.compare(0, prefix.size(), prefix) == 0)
        gone.push_back(path);
    for (const auto& path : gone)
      forget_locked(path);
  }
  std::error_code ec;
  fs::remove_all(video_dir(video_id), ec);
  return removed && !ec;
}

int media_files::open_rendition(const std::string& video_id, const std::string& name, struct stat* st) {
  auto path = video_dir(video_id) + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && shared_ && errno == ENOENT) {
    try {
      if (fetch(video_id, name))
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } catch (const object_store_failure&) {
      return -1;
    }
  } else if (fd >= 0 && shared_) {
    touch(path);
  }
  if (fd >= 0 && ::fstat(fd, st) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool media_files::fetch(const std::string& video_id, const std::string& name) {
  auto path = video_dir(video_id) + "/" + name;
  fs::create_directories(fs::path(path).parent_path());
  if (!shared_->fetch(object_key(video_id, name), path))
    return false;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec)
    remember(path, size);
  return true;
}

void media_files::remember(const std::string& path, uint64_t size) {
  struct stat st {};
  ino_t inode = ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  std::lock_guard<std::mutex> lock{cache_mutex_};
  forget_locked(path);
  lru_.push_back(path);
  cache_[path] = {std::prev(lru_.end()), size, inode};
  held_ += size;
  // Least recently used out, never the file just added; an open file stays
  // readable by whoever has it open.
  while (held_ > cache_bytes_ && lru_.size() > 1) {
    auto victim = lru_.front();
    drop(victim, cache_[victim]);
  }
}

// Under cache_mutex_: the entry goes, and its file if it is still the one
// remembered (a transcode may have published a new file at that path).
void media_files::drop(const std::string& path, const cached& entry) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && st.st_ino == entry.inode)
    ::unlink(path.c_str());
  forget_locked(path);
}

// Under cache_mutex_: forgets the entry, leaving the file.
void media_files::forget_locked(const std::string& path) {
  auto it = cache_.find(path);
  if (it == cache_.end())
    return;
  held_ -= it->second.size;
  lru_.erase(it->second.at);
  cache_.erase(it);
}

void media_files::touch(const std::string& path) {
  std::lock_guard<std::mutex> lock{cache_mutex_};
  auto it = cache_.find(path);
  if (it != cache_.end())
    lru_.splice(lru_.end(), lru_, it->second.at);
}

void media_files::forget_renditions(const std::string& video_id) {
  if (!shared_)
    return;
  std::lock_guard<std::mutex> lock{cache_mutex_};
  auto prefix = video_dir(video_id) + "/";
  std::vector<std::string> stale;
  for (const auto& path : lru_)
    if (path.compare(0, prefix.size(), prefix) == 0 && path != prefix + "source")
      stale.push_back(path);
  for (const auto& path : stale)
    drop(path, cache_[path]);
}

uint64_t media_files::cached_bytes() const {
  std::lock_guard<std::mutex> lock{cache_mutex_};
  return held_;
}

}  // namespace sg
