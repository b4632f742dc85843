#include "runtime/ids.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include <openssl/rand.h>

namespace sg {

std::string random_hex(size_t bytes) {
  static const char digits[] = "0123456789abcdef";
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::string out;
  out.reserve(bytes * 2);
  for (auto b : raw) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::string new_upload_id() { return random_hex(16); }

std::string new_upload_id(const std::string& tag) {
  return tag.empty() ? new_upload_id() : tag + random_hex(12);
}

std::string id_tag(std::string_view member_id) {
  uint32_t h = 2166136261u;  // FNV-1a, stable across builds
  for (unsigned char c : member_id) {
    h ^= c;
    h *= 16777619u;
  }
  char out[9];
  std::snprintf(out, sizeof out, "%08x", h);
  return out;
}
std::string new_video_id() { return random_hex(8); }

namespace {
bool is_lower_hex(const std::string& s, size_t len) {
  return s.size() == len && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}
}  // namespace

bool is_upload_id(const std::string& s) { return is_lower_hex(s, 32); }
bool is_video_id(const std::string& s) { return is_lower_hex(s, 16); }

}  // namespace sg
