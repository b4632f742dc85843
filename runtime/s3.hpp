#pragma once
// An S3-compatible object store over libcurl, path-style, signed with AWS
// Signature V4 by libcurl (CURLOPT_AWS_SIGV4; Debian's libs3 signs only V2
// and has no multipart). Bodies are sent as UNSIGNED-PAYLOAD (S3 requires
// the x-amz-content-sha256 header, libcurl does not add it). Objects larger
// than a part go up in multipart uploads, read from their file part by part;
// reads stream into a sink. One client per thread (it keeps one connection).
// docs/architecture.md §Media in S3.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sg::s3 {

struct settings {
  std::string endpoint;  // http(s)://host:port
  std::string bucket;    // empty: the endpoint names it (virtual-hosted style)
  std::string region = "us-east-1";
  std::string access_key, secret_key;
  uint64_t part_bytes = uint64_t{8} << 20;  // multipart above this (S3's minimum part is 5 MiB)
  long timeout_ms = 60000;
  std::string connect_to;  // libcurl's CONNECT_TO "HOST:PORT:ADDR:PORT" (pin an endpoint); empty: DNS
};

/// `s3://BUCKET?endpoint=URL&region=R`, credentials from AWS_ACCESS_KEY_ID
/// and AWS_SECRET_ACCESS_KEY; nothing, with the reason in `why`, when the
/// URL or the credentials are missing or malformed.
std::optional<settings> parse_url(const std::string& url, std::string* why);

struct error : std::runtime_error {
  error(const std::string& what, long status) : std::runtime_error(what), status(status) {}
  long status;  // the HTTP status; 0 when the store was not reached
};

struct object_info {
  uint64_t size = 0;
  std::string etag;
};

class client {
public:
  explicit client(settings s);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  void put(const std::string& key, std::string_view body);
  /// A single PUT up to part_bytes, a multipart upload above (aborted when a
  /// part fails, so no parts are left behind).
  void put_file(const std::string& key, const std::string& path);
  std::string get(const std::string& key);
  /// Bytes first..last, inclusive.
  std::string get_range(const std::string& key, uint64_t first, uint64_t last);
  /// Streams bytes first..last (last = UINT64_MAX: to the end) into `sink`;
  /// a sink that returns false stops the transfer.
  void get_to(const std::string& key, uint64_t first, uint64_t last,
              const std::function<bool(const char*, size_t)>& sink);
  /// Size and ETag, or nothing when there is no such object.
  std::optional<object_info> head(const std::string& key);
  void remove(const std::string& key);

  /// Pins x-amz-date so that a signature can be checked against published
  /// vectors. Tests only: libcurl then sends the header twice.
  void pin_date_for_tests(std::string amz_date, std::string content_sha256);

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

}  // namespace sg::s3
