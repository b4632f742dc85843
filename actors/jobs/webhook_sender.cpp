#include "actors/jobs/webhook_sender.hpp"

#include <netdb.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <curl/curl.h>

#include "actors/jobs/webhooks.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr long connect_timeout_ms = 5000;
constexpr long request_timeout_ms = 10000;

struct target {
  std::string host;
  long port = 0;
  std::string address;  // the one to connect to
  std::string problem;  // why there is none
};

std::string part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* text = nullptr;
  std::string out;
  if (curl_url_get(u, which, &text, flags) == CURLUE_OK && text)
    out = text;
  curl_free(text);
  return out;
}

// The URL's host resolved once; the first address a webhook may reach.
target resolve(const std::string& url, bool allow_private) {
  target t;
  if (auto why = webhooks::check_url(url); !why.empty())
    return t.problem = why, t;
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u{curl_url(), curl_url_cleanup};
  curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0);
  t.host = part(u.get(), CURLUPART_HOST);
  t.port = std::strtol(part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).c_str(), nullptr, 10);
  auto name = t.host;
  if (name.size() > 2 && name.front() == '[')
    name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0)
    return t.problem = "cannot resolve " + name + ": " + gai_strerror(rc), t;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list{found, ::freeaddrinfo};
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    if (!allow_private && !webhooks::public_address(a->ai_addr))
      continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = a->ai_family == AF_INET
                        ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                        : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (::inet_ntop(a->ai_family, raw, text, sizeof text) == nullptr)
      continue;
    t.address = a->ai_family == AF_INET6 ? "[" + std::string{text} + "]" : std::string{text};
    return t;
  }
  t.problem = name + " resolves only to private, loopback or link-local addresses";
  return t;
}

size_t discard(char*, size_t size, size_t n, void*) {
  return size * n;
}

std::pair<bool, std::string> post(const std::string& url, const std::string& body,
                                  const std::vector<std::string>& extra, bool allow_private) {
  auto t = resolve(url, allow_private);
  if (!t.problem.empty())
    return {false, t.problem};
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl{curl_easy_init(), curl_easy_cleanup};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& h : extra)
    headers = curl_slist_append(headers, h.c_str());
  auto pin = t.host + ":" + std::to_string(t.port) + ":" + t.address;
  curl_slist* resolved = curl_slist_append(nullptr, pin.c_str());
  auto* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolved);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, request_timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "StreamGate-Webhooks/1");
  auto rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_slist_free_all(resolved);
  if (rc != CURLE_OK)
    return {false, curl_easy_strerror(rc)};
  return {status >= 200 && status < 300, "HTTP " + std::to_string(status)};
}

webhook_sender_actor::behavior_type sender(webhook_sender_actor::pointer, bool allow_private) {
  return {
    [allow_private](check_atom, const std::string& url) { return resolve(url, allow_private).problem; },
    [allow_private](deliver_atom, const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers) -> caf::result<bool, std::string> {
      auto [ok, outcome] = post(url, body, headers, allow_private);
      return {ok, outcome};
    },
  };
}

}  // namespace

webhook_sender_actor spawn_webhook_sender(caf::actor_system& sys, bool allow_private) {
  return actor_stats::spawn<caf::detached>(sys, "webhook_sender", sender, allow_private);
}

}  // namespace sg
