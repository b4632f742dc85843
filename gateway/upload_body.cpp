#include "gateway/upload_body.hpp"

#include <deque>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "messages/errors.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {
// Measured on loopback (bench/cluster.mjs): waiting for each chunk's answer
// held a PATCH through another node to 0.77x of a direct one; 4 in flight
// 0.79-0.89x, 8 in flight 0.73-0.95x over several days' runs (noisy; where
// the rest goes: docs/research/patch-forwarding.md). A local session gained
// nothing and lost ~15 %, so the window is for remote sessions only: at most
// 8 MiB in flight per PATCH.
constexpr size_t remote_chunks_in_flight = 8;
}

bool has_body(const httplib::Request& req) {
  return text::iequals(req.get_header_value("Transfer-Encoding"), "chunked") ||
         text::parse_u64(req.get_header_value("Content-Length")).value_or(0) > 0;
}

body_outcome stream_body(const gateway_context& ctx, const upload_session_actor& session,
                         uint64_t offset, const std::optional<tus::checksum_header>& checksum,
                         const httplib::Request& req, const httplib::ContentReader& reader) {
  body_outcome out;
  // One actor opens the lease and sends the chunks: the session watches it,
  // and frees the upload at once should it vanish with this node.
  caf::scoped_actor self{*ctx.system};
  auto lease = ask_from<uint64_t>(self, ctx, session, caf::open_atom::value, acting(), offset,
                                  checksum ? checksum->algorithm : std::string{});
  if (!lease) {
    out.info = lease.error();
    return out;
  }
  caf::error failure;
  std::vector<char> buf;
  buf.reserve(max_chunk_bytes);
  // A few chunks in flight to a session on another node, which answers a
  // round trip later. Chunks from one sender arrive in order; memory stays
  // bounded by the window.
  const size_t chunks_in_flight = session.node() == self->node() ? 1 : remote_chunks_in_flight;
  using answer = decltype(self->request(session, ctx.timeout(), chunk_atom::value, uint64_t{0}, std::vector<char>{}));
  std::deque<answer> in_flight;
  auto settle_oldest = [&] {
    in_flight.front().receive([](uint64_t) {},
                              [&](caf::error& e) {
                                if (!failure)
                                  failure = std::move(e);
                              });
    in_flight.pop_front();
  };
  auto flush = [&] {
    if (!buf.empty()) {
      in_flight.push_back(self->request(session, ctx.timeout(), chunk_atom::value, *lease, std::move(buf)));
      buf = std::vector<char>{};
      buf.reserve(max_chunk_bytes);
    }
    while (in_flight.size() >= chunks_in_flight)
      settle_oldest();
    return !failure;
  };
  auto drain = [&] {
    while (!in_flight.empty())
      settle_oldest();
  };
  bool whole = true;
  if (has_body(req)) {
    whole = reader([&](const char* data, size_t n) {
      while (n > 0) {
        auto take = std::min(n, max_chunk_bytes - buf.size());
        buf.insert(buf.end(), data, data + take);
        data += take;
        n -= take;
        if (buf.size() == max_chunk_bytes && !flush())
          return false;
      }
      return true;
    });
  }
  // A broken connection still keeps what arrived (tus), unless a checksum
  // was promised: then a partial body cannot be verified and is dropped.
  if (!failure && (whole || !checksum))
    flush();
  drain();
  if (failure || (!whole && checksum)) {
    caf::anon_send(session, abort_atom::value, *lease);
    out.info = failure ? failure : make_error(errc::bad_request, "the body ended early");
    return out;
  }
  out.info = ask<upload_info>(ctx, session, commit_atom::value, *lease,
                              checksum ? checksum->digest : std::string{});
  return out;
}

}  // namespace sg
