#pragma once
// What the jobs service knows about webhooks without doing any I/O: the
// records' JSON, the checks on a new webhook, the signature receivers verify
// and the backoff between attempts. docs/architecture.md §Jobs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "messages/jobs_actor.hpp"

struct sockaddr;

namespace sg::webhooks {

/// The events a webhook may ask for.
const std::vector<std::string>& event_types();

/// An owner has at most this many webhooks.
inline constexpr size_t max_per_owner = 20;

/// Why the URL cannot be a webhook's ("" when it can): http or https, a
/// host, no user info, at most 2048 characters. Its address is checked when
/// it is resolved (allowed_address).
std::string check_url(const std::string& url);

/// Why the events cannot be a webhook's ("" when they can): one or more of
/// event_types(), each once.
std::string check_events(const std::vector<std::string>& events);

/// False for loopback, private (RFC 1918, fc00::/7), link-local, carrier-grade
/// NAT, unspecified, multicast and reserved addresses, and IPv4 mapped into
/// IPv6 as any of those: a webhook must not reach into the node's network.
bool public_address(const sockaddr* addr);

/// `StreamGate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t.body)>`.
std::string signature(const std::string& secret, int64_t unix_s, const std::string& body);

/// The delay before attempt `attempts + 1`: `first_ms` doubled per attempt
/// made, at most an hour.
int64_t backoff_ms(int64_t first_ms, uint32_t attempts);

/// The body POSTed for an event: {"id", "type", "created_at", "data"}.
std::string event_body(const std::string& event_id, const webhook_event& e);

/// Record keys in the ops store.
std::string webhook_key(const std::string& owner, const std::string& id);
std::string webhook_prefix(const std::string& owner);
std::string delivery_key(const std::string& id);
inline const std::string delivery_prefix = "deliveries/";

std::string to_text(const webhook& w);
std::optional<webhook> webhook_from(const std::string& text);
std::string to_text(const delivery& d);
std::optional<delivery> delivery_from(const std::string& text);

}  // namespace sg::webhooks
