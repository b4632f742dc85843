#pragma once
// Where a cluster's media lives (docs/architecture.md §Media in S3): whole
// objects copied to and from local files. The media files keep a bounded
// local copy of what they read; this is the authority every node shares.
#include <optional>
#include <stdexcept>
#include <string>

namespace sg {

/// The store did not answer, or refused (transient: the caller may retry).
struct object_store_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class object_store {
public:
  virtual ~object_store() = default;
  /// Copies the object into `path` (a temporary next to it, then renamed:
  /// readers never see half a file); false when there is no such object.
  virtual bool fetch(const std::string& key, const std::string& path) = 0;
  /// The object's bytes, or nothing when there is none (small objects).
  virtual std::optional<std::string> read(const std::string& key) = 0;
  virtual void store(const std::string& key, const std::string& path) = 0;
  virtual void write(const std::string& key, const std::string& bytes) = 0;
  /// Removing a missing object succeeds.
  virtual void remove(const std::string& key) = 0;
};

}  // namespace sg
