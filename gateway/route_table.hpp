#pragma once
// One declarative table of routes. It drives the dispatcher and
// every filter: a filter asks for the request's route (its label, rate-limit
// group, body kind), never inspects the path itself. docs/architecture.md §Gateway.
#include <string>
#include <string_view>
#include <deque>
#include <vector>

namespace sg {

/// How a route takes its body: not at all (GET, DELETE, OPTIONS: 413 when
/// one is announced), read whole up to --http-max-body-bytes (a JSON
/// document), or streamed in pieces by the handler (uploads).
enum class body_kind { none, bounded, stream };

/// What a route needs of the caller: no session (the bearer header is the
/// route's own business, as in sign-in), an optional one, or a required one
/// (401 from the filter, before the route runs).
enum class auth_need { none, optional, required };

/// A route's rate-limit group and authentication need, and whether its
/// handler may run on the edge's event loop: it never waits (no actor ask,
/// no network), so the hop to a handler thread and back would cost more than
/// the work. A request with a bearer token still goes to a handler thread
/// (its session is asked of the auth service).
struct route_traits {
  route_traits(const char* g, auth_need a = auth_need::optional, bool loop = false)
    : group(g), auth(a), on_loop(loop) {}
  const char* group;
  auth_need auth;
  bool on_loop;
};

struct route_spec {
  std::string method;   // GET (also serves HEAD), POST, PATCH, DELETE, OPTIONS
  std::string pattern;  // "/api/v1/videos/{id}/job"; a last "{name*}" takes the rest
  std::string group;    // rate-limit group: auth, upload, api, media, other
  body_kind body = body_kind::bounded;
  auth_need auth = auth_need::optional;
  std::string label;    // the pattern as metric and log label ("{name*}" as "{name}"); set by add
  bool on_loop = false; // see route_traits

  /// The equivalent regular expression: the fuzz target's oracle for
  /// matches() and captures().
  std::string regex() const;
  /// True when `path` has this route's shape (segment by segment, no regex).
  bool matches(std::string_view path) const;
  /// Like matches(), and fills `out` as a regex match would: [0] the path,
  /// then each "{param}" in order.
  bool captures(std::string_view path, std::vector<std::string>& out) const;

private:
  bool walk(std::string_view path, std::vector<std::string>* out) const;
};

class route_table {
public:
  /// Routes are tried in the order added: put the hottest first.
  const route_spec& add(route_spec r);
  /// The route serving `method` (HEAD as GET) on `path`, or nullptr.
  const route_spec* find(std::string_view method, std::string_view path) const;
  const std::deque<route_spec>& routes() const { return routes_; }

private:
  std::deque<route_spec> routes_;  // stable addresses: filters keep pointers
};

}  // namespace sg
