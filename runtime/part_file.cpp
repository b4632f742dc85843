#include "runtime/part_file.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

namespace sg {

namespace {
[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

part_file::part_file(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0)
    fail("open " + path_);
}

part_file::~part_file() {
  if (fd_ >= 0)
    ::close(fd_);
}

uint64_t part_file::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0)
    fail("fstat " + path_);
  return static_cast<uint64_t>(st.st_size);
}

void part_file::write_at(uint64_t offset, const char* data, size_t n) {
  while (n > 0) {
    auto written = ::pwrite(fd_, data, n, static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR)
        continue;
      fail("write " + path_);
    }
    data += written;
    n -= static_cast<size_t>(written);
    offset += static_cast<uint64_t>(written);
  }
}

void part_file::start_writeback(uint64_t offset, uint64_t n) {
  // Advisory only: a failure here is caught by sync().
  ::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(n),
                    SYNC_FILE_RANGE_WRITE);
}

void part_file::sync() {
  if (::fdatasync(fd_) != 0)
    fail("fdatasync " + path_);
}

void part_file::truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    fail("ftruncate " + path_);
}

void part_file::append_file(const std::string& other, uint64_t expected_size) {
  int in = ::open(other.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    fail("open " + other);
  off_t out_off = static_cast<off_t>(size());
  off_t in_off = 0;
  uint64_t left = expected_size;
  while (left > 0) {
    auto n = ::copy_file_range(in, &in_off, fd_, &out_off, left, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = errno;
      ::close(in);
      errno = n == 0 ? EIO : saved;
      fail("copy " + other);
    }
    left -= static_cast<uint64_t>(n);
  }
  ::close(in);
}

bool is_checksum_algorithm(const std::string& name) {
  return name == "sha1" || name == "sha256" || name == "md5";
}

std::unique_ptr<checksum> checksum::make(const std::string& algorithm) {
  const EVP_MD* md = algorithm == "sha1"     ? EVP_sha1()
                     : algorithm == "sha256" ? EVP_sha256()
                     : algorithm == "md5"    ? EVP_md5()
                                             : nullptr;
  if (md == nullptr)
    return nullptr;
  std::unique_ptr<checksum> out{new checksum};
  out->ctx_ = EVP_MD_CTX_new();
  EVP_DigestInit_ex(out->ctx_, md, nullptr);
  return out;
}

checksum::~checksum() {
  EVP_MD_CTX_free(ctx_);
}

void checksum::update(const char* data, size_t n) {
  EVP_DigestUpdate(ctx_, data, n);
}

std::string checksum::digest() {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, buf, &len);
  return std::string(reinterpret_cast<char*>(buf), len);
}

}  // namespace sg
