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

struct file_body {
  file_body(int fd, uint64_t size, std::string content_type)
    : fd(fd), size(size), content_type(std::move(content_type)) {}
  ~file_body() {
    if (fd >= 0)
      ::close(fd);
  }
  file_body(const file_body&) = delete;
  file_body& operator=(const file_body&) = delete;

  int fd;
  uint64_t size;
  std::string content_type;
  std::vector<byte_range> ranges;  // empty: the whole file
};

/// Answers the current request with `f` (status 200 or 206, set here).
void send_file(httplib::Response& res, std::shared_ptr<file_body> f);

}  // namespace sg
