#include "runtime/s3.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <curl/curl.h>

namespace sg::s3 {

namespace {

// curl_global_init is not thread-safe: run it once, before any client.
struct curl_global {
  curl_global() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~curl_global() { curl_global_cleanup(); }
};

void ensure_global() {
  static curl_global once;
}

std::string query_value(const std::string& query, const std::string& name) {
  size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    auto pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (pair.rfind(name + "=", 0) == 0)
      return pair.substr(name.size() + 1);
    if (amp == std::string::npos)
      break;
    start = amp + 1;
  }
  return {};
}

// The text between <tag> and </tag> in an S3 XML answer.
std::string xml_field(const std::string& xml, const std::string& tag) {
  auto open = xml.find("<" + tag + ">");
  if (open == std::string::npos)
    return {};
  open += tag.size() + 2;
  auto close = xml.find("</" + tag + ">", open);
  return close == std::string::npos ? std::string{} : xml.substr(open, close - open);
}

struct response {
  long status = 0;
  std::string body;
  std::string etag;
  uint64_t length = 0;
};

struct request {
  const char* method = "GET";
  std::string key;
  std::string query;                 // without '?'
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent when upload_file is null
  std::FILE* upload_file = nullptr;  // else this many bytes from the file's position
  uint64_t upload_bytes = 0;
  const std::function<bool(const char*, size_t)>* sink = nullptr;  // else the body is kept
};

// Status lines (one per answer, 100 Continue included) and the headers we use.
size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* res = static_cast<response*>(user);
  std::string_view line{data, size * n};
  if (line.rfind("HTTP/", 0) == 0) {
    auto space = line.find(' ');
    res->status = space == std::string_view::npos ? 0 : std::strtol(line.data() + space + 1, nullptr, 10);
    res->etag.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name{line.substr(0, colon)};
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    if (name == "etag")
      res->etag = std::string{value};
    else if (name == "content-length")
      res->length = std::strtoull(std::string{value}.c_str(), nullptr, 10);
  }
  return size * n;
}

struct body_target {
  response* res;
  const std::function<bool(const char*, size_t)>* sink;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<body_target*>(user);
  // Only a successful answer streams to the sink; an error body is kept.
  if (t->sink != nullptr && t->res->status / 100 == 2)
    return (*t->sink)(data, size * n) ? size * n : 0;
  t->res->body.append(data, size * n);
  return size * n;
}

struct upload_source {
  std::string_view memory;
  std::FILE* file = nullptr;
  uint64_t left = 0;
};

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* src = static_cast<upload_source*>(user);
  size_t room = size * n;
  if (src->file != nullptr) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(room, src->left));
    size_t got = want == 0 ? 0 : std::fread(buffer, 1, want, src->file);
    src->left -= got;
    return got;
  }
  size_t k = std::min(room, src->memory.size());
  std::memcpy(buffer, src->memory.data(), k);
  src->memory.remove_prefix(k);
  return k;
}

}  // namespace

std::optional<settings> parse_url(const std::string& url, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<settings> {
    if (why != nullptr)
      *why = reason;
    return std::nullopt;
  };
  if (url.rfind("s3://", 0) != 0)
    return fail("--media takes s3://BUCKET?endpoint=URL&region=R");
  auto rest = url.substr(5);
  auto q = rest.find('?');
  settings s;
  s.bucket = rest.substr(0, q);
  auto query = q == std::string::npos ? std::string{} : rest.substr(q + 1);
  s.endpoint = query_value(query, "endpoint");
  if (auto region = query_value(query, "region"); !region.empty())
    s.region = region;
  if (s.bucket.empty() || s.bucket.find('/') != std::string::npos)
    return fail("the bucket name is missing or has a '/'");
  if (s.endpoint.rfind("http://", 0) != 0 && s.endpoint.rfind("https://", 0) != 0)
    return fail("endpoint= must be an http(s):// URL");
  while (!s.endpoint.empty() && s.endpoint.back() == '/')
    s.endpoint.pop_back();
  const char* key = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (key == nullptr || secret == nullptr || *key == '\0' || *secret == '\0')
    return fail("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set for S3 media");
  s.access_key = key;
  s.secret_key = secret;
  return s;
}

struct client::impl {
  settings cfg;
  CURL* curl = nullptr;
  std::string pinned_date, pinned_sha256;

  std::string url_of(const std::string& key, const std::string& query) const {
    std::string out = cfg.endpoint + "/" + (cfg.bucket.empty() ? "" : cfg.bucket + "/");
    // Each path segment escaped; the '/' between them kept.
    size_t start = 0;
    while (start <= key.size()) {
      auto slash = key.find('/', start);
      auto part = key.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      char* escaped = curl_easy_escape(curl, part.c_str(), static_cast<int>(part.size()));
      out += escaped;
      curl_free(escaped);
      if (slash == std::string::npos)
        break;
      out += '/';
      start = slash + 1;
    }
    return query.empty() ? out : out + "?" + query;
  }

  response perform(const request& r) {
    curl_easy_reset(curl);
    response res;
    body_target target{&res, r.sink};
    upload_source source{r.body, r.upload_file, r.upload_bytes};
    auto url = url_of(r.key, r.query);
    auto userpwd = cfg.access_key + ":" + cfg.secret_key;
    auto provider = "aws:amz:" + cfg.region + ":s3";
    curl_slist* headers = nullptr;
    for (const auto& h : r.headers)
      headers = curl_slist_append(headers, h.c_str());
    if (!pinned_date.empty())
      headers = curl_slist_append(headers, ("x-amz-date: " + pinned_date).c_str());
    headers = curl_slist_append(headers, ("x-amz-content-sha256: " +
                                          (pinned_sha256.empty() ? std::string{"UNSIGNED-PAYLOAD"} : pinned_sha256)).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &res);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &target);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, cfg.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_slist* connect_to = nullptr;
    if (!cfg.connect_to.empty()) {
      connect_to = curl_slist_append(nullptr, cfg.connect_to.c_str());
      curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
    }
    if (std::strcmp(r.method, "HEAD") == 0)
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    bool sends_body = r.upload_file != nullptr || !r.body.empty() || std::strcmp(r.method, "PUT") == 0 ||
                      std::strcmp(r.method, "POST") == 0;
    if (sends_body) {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(curl, CURLOPT_READDATA, &source);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(r.upload_file != nullptr ? r.upload_bytes : r.body.size()));
    }
    // The status is known before the body: on_body decides where it goes.
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    auto rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    curl_slist_free_all(connect_to);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && r.sink != nullptr))
      throw error{std::string{"S3 "} + r.method + " " + r.key + ": " + curl_easy_strerror(rc), 0};
    return res;
  }
};

namespace {

[[noreturn]] void refuse(const char* what, const std::string& key, const response& res) {
  auto code = xml_field(res.body, "Code");
  throw error{std::string{"S3 "} + what + " " + key + ": HTTP " + std::to_string(res.status) +
                (code.empty() ? "" : " " + code),
              res.status};
}

}  // namespace

client::client(settings s) : impl_(std::make_unique<impl>()) {
  ensure_global();
  impl_->cfg = std::move(s);
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr)
    throw error{"cannot start libcurl", 0};
}

client::~client() {
  curl_easy_cleanup(impl_->curl);
}

void client::pin_date_for_tests(std::string amz_date, std::string content_sha256) {
  impl_->pinned_date = std::move(amz_date);
  impl_->pinned_sha256 = std::move(content_sha256);
}

void client::put(const std::string& key, std::string_view body) {
  request r;
  r.method = "PUT";
  r.key = key;
  r.body = body;
  auto res = impl_->perform(r);
  if (res.status / 100 != 2)
    refuse("PUT", key, res);
}

void client::put_file(const std::string& key, const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::fopen(path.c_str(), "rb"), std::fclose};
  if (!file)
    throw error{"cannot read " + path, 0};
  std::fseek(file.get(), 0, SEEK_END);
  uint64_t size = static_cast<uint64_t>(std::ftell(file.get()));
  std::fseek(file.get(), 0, SEEK_SET);
  request r;
  r.key = key;
  r.upload_file = file.get();
  if (size <= impl_->cfg.part_bytes) {
    r.method = "PUT";
    r.upload_bytes = size;
    auto res = impl_->perform(r);
    if (res.status / 100 != 2)
      refuse("PUT", key, res);
    return;
  }
  request start;
  start.method = "POST";
  start.key = key;
  start.query = "uploads=";
  auto started = impl_->perform(start);
  auto upload_id = xml_field(started.body, "UploadId");
  if (started.status / 100 != 2 || upload_id.empty())
    refuse("multipart start", key, started);
  char* escaped = curl_easy_escape(impl_->curl, upload_id.c_str(), static_cast<int>(upload_id.size()));
  const std::string id_param = std::string{"uploadId="} + escaped;
  curl_free(escaped);
  std::string parts = "<CompleteMultipartUpload>";
  try {
    uint64_t sent = 0;
    for (int number = 1; sent < size; ++number) {
      r.method = "PUT";
      r.query = "partNumber=" + std::to_string(number) + "&" + id_param;
      r.upload_bytes = std::min(impl_->cfg.part_bytes, size - sent);
      auto res = impl_->perform(r);
      if (res.status / 100 != 2 || res.etag.empty())
        refuse("multipart part", key, res);
      parts += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + res.etag + "</ETag></Part>";
      sent += r.upload_bytes;
    }
    parts += "</CompleteMultipartUpload>";
    request done;
    done.method = "POST";
    done.key = key;
    done.query = id_param;
    done.body = parts;
    auto res = impl_->perform(done);
    // S3 may answer 200 with an error document when completing fails late.
    if (res.status / 100 != 2 || !xml_field(res.body, "Code").empty())
      refuse("multipart completion", key, res);
  } catch (...) {
    request abort;
    abort.method = "DELETE";
    abort.key = key;
    abort.query = id_param;
    try {
      impl_->perform(abort);
    } catch (const error&) {
      // The store's lifecycle rules reclaim parts left behind.
    }
    throw;
  }
}

std::string client::get(const std::string& key) {
  std::string out;
  std::function<bool(const char*, size_t)> sink = [&](const char* d, size_t n) {
    out.append(d, n);
    return true;
  };
  get_to(key, 0, UINT64_MAX, sink);
  return out;
}

std::string client::get_range(const std::string& key, uint64_t first, uint64_t last) {
  std::string out;
  std::function<bool(const char*, size_t)> sink = [&](const char* d, size_t n) {
    out.append(d, n);
    return true;
  };
  get_to(key, first, last, sink);
  return out;
}

void client::get_to(const std::string& key, uint64_t first, uint64_t last,
                    const std::function<bool(const char*, size_t)>& sink) {
  request r;
  r.key = key;
  r.sink = &sink;
  if (first > 0 || last != UINT64_MAX)
    r.headers.push_back("Range: bytes=" + std::to_string(first) + "-" +
                        (last == UINT64_MAX ? std::string{} : std::to_string(last)));
  auto res = impl_->perform(r);
  if (res.status / 100 != 2)
    refuse("GET", key, res);
}

std::optional<object_info> client::head(const std::string& key) {
  request r;
  r.method = "HEAD";
  r.key = key;
  auto res = impl_->perform(r);
  if (res.status == 404)
    return std::nullopt;
  if (res.status / 100 != 2)
    refuse("HEAD", key, res);
  return object_info{res.length, res.etag};
}

void client::remove(const std::string& key) {
  request r;
  r.method = "DELETE";
  r.key = key;
  auto res = impl_->perform(r);
  if (res.status / 100 != 2 && res.status != 404)
    refuse("DELETE", key, res);
}

}  // namespace sg::s3
