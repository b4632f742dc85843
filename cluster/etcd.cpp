// etcd's JSON gateway over cpp-httplib. Measured traps this code answers
// (docs/architecture.md §Cluster membership): without TCP_NODELAY every call
// waits ~47 ms for a delayed ACK; bytes are base64 and int64 are strings; a
// failed txn omits "succeeded"; PUT events omit "type"; a watch's chunks do
// not align with its newline-separated messages.
#include "cluster/etcd.hpp"

#include <atomic>
#include <mutex>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "runtime/json.hpp"
#include "runtime/text.hpp"

namespace sg::etcd {

using nlohmann::json;

namespace wire {

namespace {

std::string b64(const std::string& raw) {
  return text::base64_encode(raw);
}

std::string unb64(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string())
    return {};
  auto raw = text::base64_decode(it->get<std::string>());
  if (!raw)
    throw error{std::string{"etcd sent a field that is not base64: "} + field};
  return *raw;
}

json compare(const std::string& key, const char* target, const char* field, int64_t value) {
  return {{"key", b64(key)}, {"target", target}, {"result", "EQUAL"}, {field, std::to_string(value)}};
}

json request_put(const std::string& key, const std::string& value, int64_t lease) {
  return {{"request_put", put(key, value, lease)}};
}

}  // namespace

std::string prefix_end(const std::string& prefix) {
  // The smallest key greater than every key with this prefix: drop trailing
  // 0xff bytes, then increment the last one ("\0" means "to the end").
  std::string end = prefix;
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff)
    end.pop_back();
  if (end.empty())
    return std::string(1, '\0');
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

int64_t int64_of(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end())
    return 0;  // proto3 leaves zero values out
  if (it->is_number_integer())
    return it->get<int64_t>();
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    bool negative = !s.empty() && s[0] == '-';
    auto magnitude = text::parse_u64(negative ? std::string_view{s}.substr(1) : std::string_view{s});
    if (magnitude && *magnitude <= static_cast<uint64_t>(INT64_MAX))
      return negative ? -static_cast<int64_t>(*magnitude) : static_cast<int64_t>(*magnitude);
  }
  throw error{std::string{"etcd sent a field that is not an int64: "} + field};
}

json put(const std::string& key, const std::string& value, int64_t lease) {
  json out = {{"key", b64(key)}, {"value", b64(value)}};
  if (lease != 0)
    out["lease"] = std::to_string(lease);
  return out;
}

json range(const std::string& key, const std::string& range_end) {
  json out = {{"key", b64(key)}};
  if (!range_end.empty())
    out["range_end"] = b64(range_end);
  return out;
}

json create(const std::string& key, const std::string& value, int64_t lease) {
  return {{"compare", {compare(key, "CREATE", "create_revision", 0)}},
          {"success", {request_put(key, value, lease)}}};
}

json swap(const std::string& key, const std::string& value, int64_t mod_revision, int64_t lease) {
  return {{"compare", {compare(key, "MOD", "mod_revision", mod_revision)}},
          {"success", {request_put(key, value, lease)}}};
}

json erase(const std::string& key, int64_t mod_revision) {
  return {{"compare", {compare(key, "MOD", "mod_revision", mod_revision)}},
          {"success", {{{"request_delete_range", {{"key", b64(key)}}}}}}};
}

json txn(const std::vector<unchanged>& conditions, const std::vector<write_op>& writes) {
  json compares = json::array();
  for (const auto& c : conditions)
    compares.push_back(compare(c.key, "MOD", "mod_revision", c.mod_revision));
  json success = json::array();
  for (const auto& w : writes)
    success.push_back(w.value ? request_put(w.key, *w.value, 0)
                              : json{{"request_delete_range", {{"key", b64(w.key)}}}});
  return {{"compare", compares}, {"success", success}};
}

json range_page(const std::string& key, const std::string& range_end, int64_t limit, int64_t revision) {
  json out = range(key, range_end);
  out["limit"] = std::to_string(limit);
  if (revision > 0)
    out["revision"] = std::to_string(revision);
  return out;
}

json watch(const std::string& key, const std::string& range_end, int64_t start_revision) {
  json create_request = range(key, range_end);
  if (start_revision > 0)
    create_request["start_revision"] = std::to_string(start_revision);
  return {{"create_request", create_request}};
}

key_value parse_kv(const json& kv) {
  return {unb64(kv, "key"), unb64(kv, "value"), int64_of(kv, "create_revision"),
          int64_of(kv, "mod_revision"), int64_of(kv, "lease")};
}

namespace {

int64_t header_revision(const json& body) {
  auto it = body.find("header");
  return it == body.end() ? 0 : int64_of(*it, "revision");
}

}  // namespace

range_result parse_range(const json& body) {
  range_result out{header_revision(body), {}, body.value("more", false)};
  if (auto it = body.find("kvs"); it != body.end() && it->is_array())
    for (const auto& kv : *it)
      out.kvs.push_back(parse_kv(kv));
  return out;
}

bool parse_txn(const json& body, int64_t* revision) {
  if (revision != nullptr)
    *revision = header_revision(body);
  auto it = body.find("succeeded");
  return it != body.end() && it->is_boolean() && it->get<bool>();
}

watch_batch parse_watch(const json& message) {
  auto result = message.find("result");
  if (result == message.end()) {
    auto err = message.find("error");
    throw error{"etcd ended the watch: " + (err == message.end() ? dump_json(message) : dump_json(*err))};
  }
  watch_batch out;
  out.revision = header_revision(*result);
  out.canceled = result->value("canceled", false);
  out.compact_revision = int64_of(*result, "compact_revision");
  if (auto it = result->find("events"); it != result->end() && it->is_array())
    for (const auto& e : *it)
      out.events.push_back({e.value("type", "PUT") == "DELETE", parse_kv(e.value("kv", json::object()))});
  return out;
}

}  // namespace wire

struct client::impl {
  std::vector<std::string> endpoints;
  tls_files tls;
  std::chrono::milliseconds timeout;
  std::vector<std::unique_ptr<httplib::Client>> http;  // one kept-alive connection per endpoint
  std::atomic<size_t> current{0};
  std::mutex watch_mutex;
  httplib::Client* watching = nullptr;

  std::unique_ptr<httplib::Client> connect(const std::string& url, std::chrono::milliseconds read_timeout) const {
    auto c = tls.cert.empty() ? std::make_unique<httplib::Client>(url)
                              : std::make_unique<httplib::Client>(url, tls.cert, tls.key);
    if (!tls.cacert.empty()) {
      c->set_ca_cert_path(tls.cacert);
      c->enable_server_certificate_verification(true);
    }
    c->set_tcp_nodelay(true);
    c->set_keep_alive(true);
    c->set_connection_timeout(timeout);
    c->set_read_timeout(read_timeout);
    c->set_write_timeout(timeout);
    return c;
  }
};

client::client(std::vector<std::string> endpoints, tls_files tls, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  if (endpoints.empty())
    throw error{"no etcd endpoint"};
  impl_->endpoints = std::move(endpoints);
  impl_->tls = std::move(tls);
  impl_->timeout = timeout;
  for (const auto& url : impl_->endpoints)
    impl_->http.push_back(impl_->connect(url, timeout));
}

client::~client() = default;

std::string client::endpoint() const {
  return impl_->endpoints[impl_->current % impl_->endpoints.size()];
}

// An unreachable member, or one that answers 5xx (no leader, timed out),
// sends the call to the next; writes are CAS where a retry could matter.
json client::call(const std::string& path, const json& body) {
  const auto text = dump_json(body);
  std::string last_problem;
  for (size_t attempt = 0; attempt < impl_->http.size(); ++attempt) {
    size_t at = (impl_->current + attempt) % impl_->http.size();
    auto res = impl_->http[at]->Post(path.c_str(), text, "application/json");
    if (!res) {
      last_problem = impl_->endpoints[at] + ": " + httplib::to_string(res.error());
      continue;
    }
    if (res->status >= 500) {
      last_problem = impl_->endpoints[at] + ": HTTP " + std::to_string(res->status) + " " + res->body;
      continue;
    }
    impl_->current = at;
    auto answer = parse_json(res->body, nullptr, 64);
    if (!answer || !answer->is_object())
      throw error{impl_->endpoints[at] + path + " answered something that is not JSON"};
    if (res->status != 200)
      throw error{impl_->endpoints[at] + path + ": " + answer->value("message", res->body)};
    return *answer;
  }
  throw error{"no etcd member answered " + path + " (" + last_problem + ")"};
}

int64_t client::put(const std::string& key, const std::string& value, int64_t lease) {
  auto body = call("/v3/kv/put", wire::put(key, value, lease));
  return wire::int64_of(body.value("header", json::object()), "revision");
}

range_result client::get(const std::string& key) {
  return wire::parse_range(call("/v3/kv/range", wire::range(key, {})));
}

range_result client::get_prefix(const std::string& prefix) {
  return wire::parse_range(call("/v3/kv/range", wire::range(prefix, wire::prefix_end(prefix))));
}

range_result client::get_page(const std::string& prefix, const std::string& from, int64_t limit,
                              int64_t revision) {
  return wire::parse_range(
    call("/v3/kv/range", wire::range_page(from, wire::prefix_end(prefix), limit, revision)));
}

bool client::commit(const std::vector<unchanged>& conditions, const std::vector<write_op>& writes,
                    int64_t* revision) {
  return wire::parse_txn(call("/v3/kv/txn", wire::txn(conditions, writes)), revision);
}

bool client::create(const std::string& key, const std::string& value, int64_t lease, int64_t* revision) {
  return wire::parse_txn(call("/v3/kv/txn", wire::create(key, value, lease)), revision);
}

bool client::swap(const std::string& key, const std::string& value, int64_t mod_revision, int64_t lease) {
  return wire::parse_txn(call("/v3/kv/txn", wire::swap(key, value, mod_revision, lease)), nullptr);
}

bool client::erase(const std::string& key, int64_t mod_revision) {
  return wire::parse_txn(call("/v3/kv/txn", wire::erase(key, mod_revision)), nullptr);
}

int64_t client::grant(int ttl_s, int* granted_ttl) {
  auto body = call("/v3/lease/grant", {{"TTL", std::to_string(ttl_s)}});
  if (granted_ttl != nullptr)
    *granted_ttl = static_cast<int>(wire::int64_of(body, "TTL"));
  auto id = wire::int64_of(body, "ID");
  if (id == 0)
    throw error{"etcd granted no lease: " + body.value("error", dump_json(body))};
  return id;
}

int64_t client::keep_alive(int64_t lease) {
  auto body = call("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
  auto result = body.find("result");
  return result == body.end() ? 0 : wire::int64_of(*result, "TTL");
}

void client::revoke(int64_t lease) {
  call("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
}

void client::watch(const std::string& prefix, int64_t start_revision,
                   const std::function<bool(const watch_batch&)>& on_batch, std::chrono::seconds idle) {
  auto conn = impl_->connect(endpoint(), idle);
  {
    std::lock_guard<std::mutex> lock{impl_->watch_mutex};
    impl_->watching = conn.get();
  }
  std::string pending;
  bool keep_going = true;
  std::exception_ptr failure;  // nothing may be thrown through httplib
  httplib::Request req;
  req.method = "POST";
  req.path = "/v3/watch";
  req.body = dump_json(wire::watch(prefix, wire::prefix_end(prefix), start_revision));
  req.headers.emplace("Content-Type", "application/json");
  // A member cut off from its leader ends the stream instead of going
  // silent; the caller then watches again through the next member.
  req.headers.emplace("Grpc-Metadata-hasleader", "true");
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    pending.append(data, len);
    try {
      for (auto nl = pending.find('\n'); keep_going && nl != std::string::npos; nl = pending.find('\n')) {
        auto line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (auto message = parse_json(line, nullptr, 64))
          keep_going = on_batch(wire::parse_watch(*message));
      }
    } catch (...) {
      failure = std::current_exception();
      keep_going = false;
    }
    return keep_going;
  };
  auto res = conn->send(req);
  {
    std::lock_guard<std::mutex> lock{impl_->watch_mutex};
    impl_->watching = nullptr;
  }
  bool ended_badly = failure || (!res && res.error() != httplib::Error::Canceled);
  if (ended_badly)
    impl_->current = (impl_->current + 1) % impl_->endpoints.size();  // another member next time
  if (failure)
    std::rethrow_exception(failure);
}

void client::cancel() {
  std::lock_guard<std::mutex> lock{impl_->watch_mutex};
  if (impl_->watching != nullptr)
    impl_->watching->stop();
}

}  // namespace sg::etcd
