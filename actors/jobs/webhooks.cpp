#include "actors/jobs/webhooks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <set>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <openssl/hmac.h>

#include "runtime/clock.hpp"
#include "runtime/json.hpp"

namespace sg::webhooks {

const std::vector<std::string>& event_types() {
  static const std::vector<std::string> types{"upload.completed", "video.ready", "video.failed"};
  return types;
}

std::string check_url(const std::string& url) {
  if (url.empty() || url.size() > 2048)
    return "url is 1 to 2048 characters";
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u{curl_url(), curl_url_cleanup};
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return "url is not a URL";
  auto part = [&](CURLUPart which) {
    char* text = nullptr;
    std::string out;
    if (curl_url_get(u.get(), which, &text, 0) == CURLUE_OK && text)
      out = text;
    curl_free(text);
    return out;
  };
  auto scheme = part(CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https")
    return "url must be http or https";
  if (part(CURLUPART_HOST).empty())
    return "url has no host";
  if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty())
    return "url must not carry user info";
  return {};
}

std::string check_events(const std::vector<std::string>& events) {
  const auto& known = event_types();
  std::set<std::string> seen;
  for (const auto& e : events) {
    if (std::find(known.begin(), known.end(), e) == known.end())
      return "unknown event '" + e.substr(0, 64) + "': events are upload.completed, video.ready, video.failed";
    if (!seen.insert(e).second)
      return "event '" + e + "' is named twice";
  }
  return events.empty() ? "name at least one event" : "";
}

namespace {

bool public_v4(uint32_t a) {  // host order
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return !(in(0x00000000, 8) ||   // this network
           in(0x0A000000, 8) ||   // 10/8
           in(0x64400000, 10) ||  // 100.64/10, carrier-grade NAT
           in(0x7F000000, 8) ||   // loopback
           in(0xA9FE0000, 16) ||  // link-local
           in(0xAC100000, 12) ||  // 172.16/12
           in(0xC0000000, 24) ||  // IETF protocol assignments
           in(0xC0A80000, 16) ||  // 192.168/16
           in(0xC6120000, 15) ||  // benchmarking
           in(0xE0000000, 4) ||   // multicast
           in(0xF0000000, 4));    // reserved, broadcast
}

}  // namespace

bool public_address(const sockaddr* addr) {
  if (addr->sa_family == AF_INET)
    return public_v4(ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr));
  if (addr->sa_family != AF_INET6)
    return false;
  const auto& a = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    uint32_t v4;
    std::memcpy(&v4, a.s6_addr + 12, 4);
    return public_v4(ntohl(v4));
  }
  const uint8_t b0 = a.s6_addr[0];
  return !(IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_LINKLOCAL(&a) ||
           IN6_IS_ADDR_SITELOCAL(&a) || IN6_IS_ADDR_MULTICAST(&a) || (b0 & 0xFE) == 0xFC);  // fc00::/7
}

std::string signature(const std::string& secret, int64_t unix_s, const std::string& body) {
  auto signed_text = std::to_string(unix_s) + "." + body;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac.data(), &len);
  static const char* hex = "0123456789abcdef";
  std::string out = "t=" + std::to_string(unix_s) + ",v1=";
  for (unsigned i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

int64_t backoff_ms(int64_t first_ms, uint32_t attempts) {
  constexpr int64_t most = 3'600'000;
  int64_t d = std::max<int64_t>(first_ms, 1);
  for (uint32_t i = 1; i < attempts && d < most; ++i)
    d *= 2;
  return std::min(d, most);
}

std::string event_body(const std::string& event_id, const webhook_event& e) {
  auto data = parse_json(e.data).value_or(nlohmann::json::object());
  data["video_id"] = e.video_id;
  return dump_json({{"id", event_id}, {"type", e.type}, {"created_at", iso8601_ms(e.at_ms)}, {"data", data}});
}

std::string webhook_key(const std::string& owner, const std::string& id) {
  return webhook_prefix(owner) + id;
}

std::string webhook_prefix(const std::string& owner) {
  return "webhooks/" + owner + "/";
}

std::string delivery_key(const std::string& id) {
  return delivery_prefix + id;
}

std::string to_text(const webhook& w) {
  return dump_json({{"id", w.id}, {"owner", w.owner}, {"url", w.url}, {"events", w.events},
                    {"secret", w.secret}, {"created_ms", w.created_ms}});
}

std::optional<webhook> webhook_from(const std::string& text) {
  auto j = parse_json(text);
  if (!j || !j->is_object())
    return std::nullopt;
  try {
    webhook w;
    w.id = j->at("id").get<std::string>();
    w.owner = j->at("owner").get<std::string>();
    w.url = j->at("url").get<std::string>();
    w.events = j->at("events").get<std::vector<std::string>>();
    w.secret = j->at("secret").get<std::string>();
    w.created_ms = j->value("created_ms", int64_t{0});
    return w;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string to_text(const delivery& d) {
  auto history = nlohmann::json::array();
  for (const auto& a : d.history)
    history.push_back({{"at_ms", a.at_ms}, {"outcome", a.outcome}});
  return dump_json({{"id", d.id}, {"webhook_id", d.webhook_id}, {"owner", d.owner}, {"url", d.url},
                    {"event", d.event}, {"body", d.body}, {"state", d.state}, {"attempts", d.attempts},
                    {"created_ms", d.created_ms}, {"next_ms", d.next_ms}, {"node", d.node},
                    {"history", history}});
}

std::optional<delivery> delivery_from(const std::string& text) {
  auto j = parse_json(text);
  if (!j || !j->is_object())
    return std::nullopt;
  try {
    delivery d;
    d.id = j->at("id").get<std::string>();
    d.webhook_id = j->at("webhook_id").get<std::string>();
    d.owner = j->at("owner").get<std::string>();
    d.url = j->at("url").get<std::string>();
    d.event = j->at("event").get<std::string>();
    d.body = j->at("body").get<std::string>();
    d.state = j->at("state").get<std::string>();
    d.attempts = j->at("attempts").get<uint32_t>();
    d.created_ms = j->value("created_ms", int64_t{0});
    d.next_ms = j->value("next_ms", int64_t{0});
    d.node = j->value("node", "");
    for (const auto& a : j->value("history", nlohmann::json::array()))
      d.history.push_back({a.at("at_ms").get<int64_t>(), a.at("outcome").get<std::string>()});
    return d;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace sg::webhooks
