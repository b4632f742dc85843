#pragma once
// A response body sent from a file without copying it through user space
// (sendfile): the whole file, one range of it (206), or several ranges as
// multipart/byteranges (RFC 9110 §14.6).
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "gateway/byte_ranges.hpp"

namespace sg {

/// An open file, shared by the answers that send it: sendfile and pread
/// take their own offsets, so no position is shared.
struct open_file {
  open_file(int fd, uint64_t size, int64_t mtime_ns) : fd(fd), size(size), mtime_ns(mtime_ns) {}
  ~open_file() { ::close(fd); }
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;

  int fd;
  uint64_t size;
  int64_t mtime_ns;
};

struct file_body {
  file_body(std::shared_ptr<const open_file> f, std::string type)
    : source(std::move(f)), fd(source->fd), size(source->size), content_type(std::move(type)) {}

  std::shared_ptr<const open_file> source;
  int fd;
  uint64_t size;
  std::string content_type;
  std::vector<byte_range> ranges;  // empty: the whole file
};

/// Answers the current request with `f` (status 200 or 206, set here).
void send_file(httplib::Response& res, std::shared_ptr<file_body> f);

}  // namespace sg
