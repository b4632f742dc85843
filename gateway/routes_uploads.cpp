// tus 1.0.0 at /api/v1/uploads: core, creation, creation-with-upload,
// termination, checksum, expiration and concatenation.
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/lookup.hpp"
#include "messages/limits.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "gateway/tus_headers.hpp"
#include "gateway/upload_body.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

const std::string base = "/api/v1/uploads";

std::string location(const std::string& id) { return base + "/" + id; }

bool require_tus(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Tus-Resumable", tus::version);
  if (req.get_header_value("Tus-Resumable") == tus::version)
    return true;
  res.set_header("Tus-Version", tus::version);
  problem(res, 412, "Tus-Resumable: 1.0.0 is required");
  return false;
}

void set_expiry(httplib::Response& res, const upload_info& info) {
  if (info.state == upload_state::active)
    res.set_header("Upload-Expires", http_date(info.expires_ms));
}

// The upload's session and state, when the signed-in user owns it; otherwise
// a problem answered (401, 403, 404 unknown, 410 expired).
struct owned_upload {
  upload_session_actor session;
  upload_info info;
};

std::optional<owned_upload> session_of(const gateway_context& ctx, const httplib::Request& req,
                                       httplib::Response& res) {
  auto id = path_param(1);
  if (!is_upload_id(id)) {
    problem(res, 404, "no such upload");
    return std::nullopt;
  }
  if (!require_user(res))
    return std::nullopt;
  auto session = ask<upload_session_actor>(ctx, ctx.peer<service::uploads>(), caf::open_atom::value, id);
  auto info = session ? ask<upload_info>(ctx, *session, caf::get_atom::value, acting())
                      : caf::expected<upload_info>{session.error()};
  if (!info) {
    problem(res, info.error());
    return std::nullopt;
  }
  return owned_upload{*session, std::move(*info)};
}

// Decodes Upload-Metadata into the spec; false with a problem answered.
bool read_metadata(const httplib::Request& req, httplib::Response& res, upload_spec& spec) {
  auto raw = req.get_header_value("Upload-Metadata");
  auto md = tus::parse_metadata(raw);
  if (!md) {
    problem(res, 400, "Upload-Metadata is malformed");
    return false;
  }
  auto tags = tus::parse_tags(tus::metadata_value(*md, "tags"));
  if (!tags) {
    problem(res, 400, "tags: at most 32, each at most 64 characters");
    return false;
  }
  spec.raw_metadata = raw;
  spec.filename = tus::metadata_value(*md, "filename");
  spec.title = tus::metadata_value(*md, "title");
  spec.description = tus::metadata_value(*md, "description");
  spec.tags = std::move(*tags);
  if (spec.title.size() > limits::title_bytes || spec.filename.size() > limits::title_bytes ||
      spec.description.size() > limits::description_bytes) {
    problem(res, 400, "title, filename or description is too long");
    return false;
  }
  return true;
}

std::optional<std::optional<tus::checksum_header>> read_checksum(const httplib::Request& req,
                                                                 httplib::Response& res) {
  if (!req.has_header("Upload-Checksum"))
    return std::optional<tus::checksum_header>{};
  auto sum = tus::parse_checksum(req.get_header_value("Upload-Checksum"));
  if (!sum) {
    problem(res, 400, "Upload-Checksum is malformed");
    return std::nullopt;
  }
  if (sum->algorithm != "sha1" && sum->algorithm != "sha256" && sum->algorithm != "md5") {
    problem(res, 400, "unsupported checksum algorithm; use sha1, sha256 or md5");
    return std::nullopt;
  }
  return std::optional<tus::checksum_header>{std::move(*sum)};
}

bool is_offset_stream(const httplib::Request& req) {
  return req.get_header_value("Content-Type") == tus::offset_content_type;
}

void options(const gateway_context& ctx, const httplib::Request&, httplib::Response& res) {
  res.set_header("Tus-Resumable", tus::version);
  res.set_header("Tus-Version", tus::version);
  res.set_header("Tus-Extension", tus::extensions);
  res.set_header("Tus-Max-Size", std::to_string(ctx.tus_max_size));
  res.set_header("Tus-Checksum-Algorithm", tus::checksum_algorithms);
  res.status = 204;
}

void create(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res,
            const httplib::ContentReader& body) {
  if (!require_tus(req, res))
    return;
  auto user = require_user(res);
  if (!user)
    return;
  upload_spec spec;
  spec.owner = *user;
  if (req.has_header("Upload-Concat")) {
    auto concat = tus::parse_concat(req.get_header_value("Upload-Concat"));
    if (!concat)
      return problem(res, 400, "Upload-Concat is malformed");
    spec.partial = concat->partial;
    spec.concat_parts = std::move(concat->parts);
  }
  const bool final_upload = !spec.concat_parts.empty();
  if (final_upload) {
    if (req.has_header("Upload-Length") || has_body(req))
      return problem(res, 400, "a final upload has neither Upload-Length nor a body");
  } else {
    if (req.has_header("Upload-Defer-Length"))
      return problem(res, 400, "Upload-Defer-Length is not supported");
    auto length = text::parse_u64(req.get_header_value("Upload-Length"));
    if (!length)
      return problem(res, 400, "Upload-Length is missing or malformed");
    if (*length > ctx.tus_max_size)
      return problem(res, 413, "Upload-Length exceeds Tus-Max-Size");
    spec.length = *length;
  }
  if (!read_metadata(req, res, spec))
    return;
  std::optional<tus::checksum_header> checksum;
  if (has_body(req)) {
    if (!is_offset_stream(req))
      return problem(res, 415, "a body needs Content-Type: application/offset+octet-stream");
    auto sum = read_checksum(req, res);
    if (!sum)
      return;
    checksum = std::move(*sum);
  }
  auto info = ask<upload_info>(ctx, ctx.peer<service::uploads>(), create_atom::value, std::move(spec));
  if (!info)
    return problem(res, info.error());
  if (has_body(req)) {
    auto session = ask<upload_session_actor>(ctx, ctx.peer<service::uploads>(), caf::open_atom::value, info->id);
    if (!session)
      return problem(res, session.error());
    auto out = stream_body(ctx, *session, 0, checksum, req, body);
    if (!out.info)
      return problem(res, out.info.error());
    info = std::move(out.info);
    res.set_header("Upload-Offset", std::to_string(info->offset));
  }
  res.status = 201;
  res.set_header("Location", location(info->id));
  set_expiry(res, *info);
}

void head_or_get(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  const bool head = req.method == "HEAD";
  if (head && !require_tus(req, res))
    return;
  auto upload = session_of(ctx, req, res);
  if (!upload)
    return;
  const auto* info = &upload->info;
  res.set_header("Cache-Control", "no-store");
  if (!head) {
    nlohmann::json body = {{"id", info->id},
                           {"offset", info->offset},
                           {"length", info->spec.length},
                           {"state", to_string(info->state)},
                           {"video_id", nullptr}};
    if (info->state == upload_state::finished)
      body["video_id"] = info->video_id;
    if (info->state == upload_state::active)
      body["expires_at"] = iso8601_ms(info->expires_ms);
    send_json(res, body);
    return;
  }
  // A final upload reports no offset until its parts are joined.
  if (!info->is_final() || info->complete())
    res.set_header("Upload-Offset", std::to_string(info->offset));
  res.set_header("Upload-Length", std::to_string(info->spec.length));
  if (!info->spec.raw_metadata.empty())
    res.set_header("Upload-Metadata", info->spec.raw_metadata);
  if (info->spec.partial) {
    res.set_header("Upload-Concat", "partial");
  } else if (info->is_final()) {
    std::string v = "final;";
    for (size_t i = 0; i < info->spec.concat_parts.size(); ++i)
      v += (i ? " " : "") + location(info->spec.concat_parts[i]);
    res.set_header("Upload-Concat", v);
  }
  set_expiry(res, *info);
  res.status = 200;
}

void patch(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res,
           const httplib::ContentReader& body) {
  if (!require_tus(req, res))
    return;
  if (!is_offset_stream(req))
    return problem(res, 415, "PATCH needs Content-Type: application/offset+octet-stream");
  auto offset = text::parse_u64(req.get_header_value("Upload-Offset"));
  if (!offset)
    return problem(res, 400, "Upload-Offset is missing or malformed");
  auto checksum = read_checksum(req, res);
  if (!checksum)
    return;
  auto upload = session_of(ctx, req, res);
  if (!upload)
    return;
  auto out = stream_body(ctx, upload->session, *offset, *checksum, req, body);
  if (!out.info)
    return problem(res, out.info.error());
  res.status = 204;
  res.set_header("Upload-Offset", std::to_string(out.info->offset));
  set_expiry(res, *out.info);
}

void terminate(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!require_tus(req, res))
    return;
  auto upload = session_of(ctx, req, res);
  if (!upload)
    return;
  auto done = ask<caf::ok_atom>(ctx, upload->session, caf::delete_atom::value, acting());
  if (!done)
    return problem(res, done.error());
  res.status = 204;
}

}  // namespace

void add_upload_routes(router& r, const gateway_context& ctx) {
  const std::string one = base + "/{id}";
  auto opts = [&ctx](const httplib::Request& q, httplib::Response& s) { options(ctx, q, s); };
  r.options(base, "upload", opts);
  r.options(one, "upload", opts);
  r.post_stream(base, "upload", [&ctx](const httplib::Request& q, httplib::Response& s,
                                       const httplib::ContentReader& b) { create(ctx, q, s, b); });
  r.get(one, "upload", [&ctx](const httplib::Request& q, httplib::Response& s) { head_or_get(ctx, q, s); });
  r.patch_stream(one, "upload", [&ctx](const httplib::Request& q, httplib::Response& s,
                                        const httplib::ContentReader& b) { patch(ctx, q, s, b); });
  r.del(one, "upload", [&ctx](const httplib::Request& q, httplib::Response& s) { terminate(ctx, q, s); });
}

}  // namespace sg
