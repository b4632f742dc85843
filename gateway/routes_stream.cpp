// Playback: signed URLs, then playlists, init segments and media segments
// sent from disk by the edge (sendfile), with Range, ETag and caching.
#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/byte_ranges.hpp"
#include "gateway/file_body.hpp"
#include "gateway/open_file_cache.hpp"
#include "gateway/gates.hpp"
#include "gateway/lookup.hpp"
#include "messages/errors.hpp"
#include "gateway/middleware.hpp"
#include "gateway/playback_token.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/metrics.hpp"
#include "runtime/media_files.hpp"

namespace sg {

namespace {

bool digits(const std::string& s, size_t from, size_t n) {
  return s.size() >= from + n &&
         std::all_of(s.begin() + from, s.begin() + from + n, [](unsigned char c) { return std::isdigit(c); });
}

// Only these names exist under a video; anything else is 404 before any file
// system access: master.m3u8, manifest.mpd, poster.jpg, and
// {NNNp|NNNNp|audio}/{index.m3u8|init.mp4|seg_NNNNN.m4s}. (On the segment
// path, so no std::regex.)
bool servable(const std::string& name) {
  if (name == "master.m3u8" || name == "manifest.mpd" || name == "poster.jpg")
    return true;
  auto slash = name.find('/');
  if (slash == std::string::npos)
    return false;
  auto dir = name.substr(0, slash);
  auto file = name.substr(slash + 1);
  bool rung = (dir.size() == 4 || dir.size() == 5) && dir.back() == 'p' && digits(dir, 0, dir.size() - 1);
  if (!rung && dir != "audio")
    return false;
  return file == "index.m3u8" || file == "init.mp4" ||
         (file.size() == 13 && file.compare(0, 4, "seg_") == 0 && digits(file, 4, 5) &&
          file.compare(9, 4, ".m4s") == 0);
}

const char* content_type(const std::string& name) {
  auto ends = [&](const char* s) {
    std::string x{s};
    return name.size() >= x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0;
  };
  if (ends(".m3u8")) return "application/vnd.apple.mpegurl";
  if (ends(".mpd")) return "application/dash+xml";
  if (ends(".m4s")) return "video/iso.segment";
  if (ends(".mp4")) return "video/mp4";
  return "image/jpeg";
}

metrics::counter& bytes_served() {
  static auto& c = metrics::global().get_counter("streamgate_segment_bytes_served_total",
                                                 "Playlist, init and segment bytes sent");
  return c;
}

void playback(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto v = find_video(ctx, req, res);
  if (!v)
    return;
  const auto& id = v->id;
  if (v->status != video_status::ready)
    return problem(res, 409, "the video is " + to_string(v->status) + ", not ready");
  std::string viewer;
  if (!v->access.rules.empty()) {
    auto user = require_user(res);
    if (!user)
      return;
    // One message: the access service checks the gate's rules concurrently.
    auto ok = ask<bool>(ctx, ctx.peer<service::access>(), check_atom::value, v->access, *user);
    if (!ok)
      return problem(res, ok.error());  // unavailable: fail closed, 503 with Retry-After
    if (!*ok)
      return problem(res, 403, "this video is for holders of its token; your wallet does not qualify");
    viewer = user->substr(2);
    std::transform(viewer.begin(), viewer.end(), viewer.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  auto expires = now_ms() / 1000 + ctx.http.playback_ttl_s;
  auto base = "/v/" + id + "/" + sign_playback(*ctx.secret, id, expires, viewer) + "/";
  res.set_header("Cache-Control", "no-store");
  send_json(res, {{"hls", base + "master.m3u8"},
                  {"dash", base + "manifest.mpd"},
                  {"poster", base + "poster.jpg"},
                  {"expires_at", iso8601_ms(expires * 1000)}});
}

void serve(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto id = path_param(1);
  auto token = path_param(2);
  auto name = path_param(3);
  if (!is_video_id(id))
    return problem(res, 404, "no such video");
  switch (check_playback(*ctx.secret, id, token, now_ms() / 1000)) {
    case token_status::valid: break;
    case token_status::expired: return problem(res, 403, "the playback token expired");
    default: return problem(res, 403, "the playback token is not valid for this video");
  }
  if (!servable(name))
    return problem(res, 404, "no such file");
  auto opened = open_rendition_cached(*ctx.media, id, name);  // in-process: no actor per segment
  if (!opened)
    return problem(res, 404, "no such file");
  auto file = std::make_shared<file_body>(opened, content_type(name));
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(opened->size),
                static_cast<unsigned long long>(opened->mtime_ns));
  res.set_header("ETag", etag);
  // The token is in the URL, so caches key on it; media never changes under
  // one name, playlists may after a re-transcode.
  bool media = name.find(".m3u8") == std::string::npos && name.find(".mpd") == std::string::npos;
  res.set_header("Cache-Control", media ? "private, max-age=86400, immutable" : "private, max-age=5");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  auto wanted = parse_ranges(req.get_header_value("Range"), file->size);
  if (wanted.outcome == range_request::verdict::unsatisfiable) {
    res.set_header("Content-Range", "bytes */" + std::to_string(file->size));
    return problem(res, 416, "the range set is malformed, overlapping, longer than the file or "
                             "past its " + std::to_string(file->size) + " bytes (at most " +
                             std::to_string(max_ranges) + " ranges)");
  }
  uint64_t sent = file->size;
  if (wanted.outcome == range_request::verdict::partial) {
    file->ranges = std::move(wanted.ranges);
    sent = 0;
    for (const auto& r : file->ranges)
      sent += r.length;
  }
  if (req.method != "HEAD")
    bytes_served().inc(sent);
  send_file(res, std::move(file));  // zero-copy, by the edge
}

}  // namespace

void add_stream_routes(router& r, const gateway_context& ctx) {
  // Local media never waits (an HMAC, an open): served on the edge's loop.
  // Shared media may be fetched from the object store first.
  r.get("/v/{id}/{token}/{file*}", {"media", auth_need::optional, !ctx.media->shared()},
        [&ctx](const httplib::Request& q, httplib::Response& s) { serve(ctx, q, s); });
  r.get("/api/v1/videos/{id}/playback", "api",
        [&ctx](const httplib::Request& q, httplib::Response& s) { playback(ctx, q, s); });
}

}  // namespace sg
