#include "runtime/media_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace sg {

namespace fs = std::filesystem;

media_files::media_files(std::string data_dir) : root_(std::move(data_dir)) {}

void media_files::create() const {
  fs::create_directories(root_ + "/uploads");
  fs::create_directories(root_ + "/media");
}

std::string media_files::part_path(const std::string& upload_id) const {
  return root_ + "/uploads/" + upload_id + ".part";
}

std::string media_files::video_dir(const std::string& video_id) const {
  return root_ + "/media/" + video_id;
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
    fs::rename(part_path(upload_id), locate(video_id).source);
}

media_location media_files::locate(const std::string& video_id) const {
  auto dir = video_dir(video_id);
  return {dir + "/source", dir + "/.work", dir};
}

bool media_files::remove_video(const std::string& video_id) const noexcept {
  std::error_code ec;
  fs::remove_all(video_dir(video_id), ec);
  return !ec;
}

int media_files::open_rendition(const std::string& video_id, const std::string& name,
                                struct stat* st) const {
  auto path = video_dir(video_id) + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && ::fstat(fd, st) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace sg
