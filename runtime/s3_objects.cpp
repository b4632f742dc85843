#include "runtime/s3_objects.hpp"

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <vector>

#include "runtime/ids.hpp"

namespace sg {

namespace {

class s3_objects final : public object_store {
public:
  explicit s3_objects(s3::settings s) : settings_(std::move(s)) {}

  bool fetch(const std::string& key, const std::string& path) override {
    auto tmp = path + ".fetch-" + random_hex(4);
    FILE* out = std::fopen(tmp.c_str(), "wb");
    if (out == nullptr)
      throw object_store_failure("cannot write " + tmp);
    bool written = true;
    try {
      with_client([&](s3::client& c) {
        c.get_to(key, 0, UINT64_MAX, [&](const char* data, size_t n) {
          written = std::fwrite(data, 1, n, out) == n;
          return written;
        });
      });
    } catch (const s3::error& e) {
      std::fclose(out);
      ::unlink(tmp.c_str());
      if (e.status == 404)
        return false;
      throw object_store_failure(e.what());
    }
    written = std::fclose(out) == 0 && written;
    if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
      ::unlink(tmp.c_str());
      throw object_store_failure("cannot write " + path);
    }
    return true;
  }

  std::optional<std::string> read(const std::string& key) override {
    try {
      std::string bytes;
      with_client([&](s3::client& c) { bytes = c.get(key); });
      return bytes;
    } catch (const s3::error& e) {
      if (e.status == 404)
        return std::nullopt;
      throw object_store_failure(e.what());
    }
  }

  void store(const std::string& key, const std::string& path) override {
    translate([&](s3::client& c) { c.put_file(key, path); });
  }

  void write(const std::string& key, const std::string& bytes) override {
    translate([&](s3::client& c) { c.put(key, bytes); });
  }

  void remove(const std::string& key) override {
    translate([&](s3::client& c) { c.remove(key); });
  }

private:
  template <class F>
  void translate(F&& f) {
    try {
      with_client(f);
    } catch (const s3::error& e) {
      throw object_store_failure(e.what());
    }
  }

  // A client from the pool, back when done (a failed one is dropped: its
  // connection may be broken).
  template <class F>
  void with_client(F&& f) {
    std::unique_ptr<s3::client> c;
    {
      std::lock_guard<std::mutex> lock{mutex_};
      if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!c)
      c = std::make_unique<s3::client>(settings_);
    f(*c);
    std::lock_guard<std::mutex> lock{mutex_};
    idle_.push_back(std::move(c));
  }

  s3::settings settings_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<s3::client>> idle_;
};

}  // namespace

std::shared_ptr<object_store> s3_object_store(s3::settings settings) {
  return std::make_shared<s3_objects>(std::move(settings));
}

}  // namespace sg
