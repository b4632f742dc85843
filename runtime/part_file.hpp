#pragma once
// The bytes of one upload on disk, and the running checksum of a PATCH.
#include <cstdint>
#include <memory>
#include <string>

struct evp_md_ctx_st;

namespace sg {

class part_file {
public:
  /// Opens (creating) `path` for reading and writing; throws std::system_error.
  explicit part_file(std::string path);
  ~part_file();
  part_file(const part_file&) = delete;
  part_file& operator=(const part_file&) = delete;

  uint64_t size() const;
  void write_at(uint64_t offset, const char* data, size_t n);
  /// Starts writeback of a range now, so the final sync has little left to do.
  void start_writeback(uint64_t offset, uint64_t n);
  /// Returns once every written byte is on stable storage.
  void sync();
  void truncate(uint64_t size);
  /// Appends the whole of `other` (in-kernel copy, constant memory).
  void append_file(const std::string& other, uint64_t expected_size);
  const std::string& path() const { return path_; }

private:
  std::string path_;
  int fd_ = -1;
};

/// Incremental sha1 / sha256 / md5 over a PATCH body.
class checksum {
public:
  /// Empty for an unknown algorithm name.
  static std::unique_ptr<checksum> make(const std::string& algorithm);
  ~checksum();
  void update(const char* data, size_t n);
  std::string digest();  // raw bytes

private:
  checksum() = default;
  evp_md_ctx_st* ctx_ = nullptr;
};

bool is_checksum_algorithm(const std::string& name);

}  // namespace sg
