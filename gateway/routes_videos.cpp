// Videos: listing and search, one video, edits, deletion, and the simple
// single-request upload for small files.
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/gates.hpp"
#include "gateway/lookup.hpp"
#include "messages/limits.hpp"
#include "gateway/problem.hpp"
#include "gateway/query_params.hpp"
#include "gateway/routes.hpp"
#include "gateway/tus_headers.hpp"
#include "gateway/upload_body.hpp"
#include "messages/video_json.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/json.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

const std::string base = "/api/v1/videos";

nlohmann::json api_json(const video& v) {
  nlohmann::json j = v;
  j["created_at"] = iso8601_ms(v.created_ms);
  j["updated_at"] = iso8601_ms(v.updated_ms);
  return j;
}


void list(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  video_query q;
  auto words = text_param(req, "q", 500, res);
  auto tag = words ? text_param(req, "tag", 64, res) : std::nullopt;
  auto owner = tag ? text_param(req, "owner", 128, res) : std::nullopt;
  auto status = owner ? text_param(req, "status", 32, res) : std::nullopt;
  auto cursor = status ? text_param(req, "cursor", 64, res) : std::nullopt;
  auto category = cursor ? text_param(req, "category", limits::slug_bytes, res) : std::nullopt;
  auto playlist = category ? text_param(req, "playlist", 16, res) : std::nullopt;
  if (!playlist)
    return;
  if (!playlist->empty() && !is_video_id(*playlist))
    return problem(res, 404, "no such playlist");
  q.q = std::move(*words);
  q.tag = std::move(*tag);
  q.owner = std::move(*owner);
  q.category = std::move(*category);
  q.playlist = std::move(*playlist);
  for (size_t start = 0; !status->empty() && start <= status->size();) {
    auto comma = status->find(',', start);
    auto name = status->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto s = parse_state<video_status>(name);
    if (!s)
      return problem(res, 400, "unknown status " + name);
    q.status.push_back(*s);
    start = comma == std::string::npos ? status->size() + 1 : comma + 1;
  }
  q.cursor = std::move(*cursor);
  auto limit = limit_param(req, q.limit, 100, res);
  if (!limit)
    return;
  q.limit = *limit;
  auto page = ask<video_page>(ctx, ctx.peer<service::video_store>(), query_atom::value, std::move(q));
  if (!page)
    return problem(res, page.error());
  auto items = nlohmann::json::array();
  for (const auto& v : page->items)
    items.push_back(api_json(v));
  send_json(res, {{"items", items},
                  {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(page->next_cursor)}});
}

void get_one(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto v = find_video(ctx, req, res);
  if (!v)
    return;
  send_json(res, api_json(*v));
}

// The editable fields with their types checked; anything else is refused.
std::optional<video_patch> parse_patch(const std::string& body, std::string& why) {
  auto j = parse_json(body, &why);
  if (!j)
    return std::nullopt;
  if (!j->is_object()) {
    why = "the body must be a JSON object";
    return std::nullopt;
  }
  video_patch p;
  for (const auto& [key, value] : j->items()) {
    if (key == "title" && value.is_string() && value.get_ref<const std::string&>().size() <= limits::title_bytes) {
      p.has_title = true;
      p.title = value.get<std::string>();
    } else if (key == "description" && value.is_string() &&
               value.get_ref<const std::string&>().size() <= limits::description_bytes) {
      p.has_description = true;
      p.description = value.get<std::string>();
    } else if (key == "tags" && value.is_array()) {
      if (value.size() > limits::tags) {
        why = "tags: at most 32, each at most 64 characters";
        return std::nullopt;
      }
      std::string joined;
      for (const auto& t : value) {
        if (!t.is_string() || t.get_ref<const std::string&>().find(',') != std::string::npos) {
          why = "tags must be strings without commas";
          return std::nullopt;
        }
        joined += t.get<std::string>() + ",";
      }
      auto tags = tus::parse_tags(joined);
      if (!tags) {
        why = "tags: at most 32, each at most 64 characters";
        return std::nullopt;
      }
      p.has_tags = true;
      p.tags = std::move(*tags);
    } else if (key == "category" && (value.is_null() || value.is_string())) {
      p.has_category = true;
      p.category = value.is_null() ? "" : value.get<std::string>();
      if (p.category.size() > limits::slug_bytes || p.category.find('\0') != std::string::npos) {
        why = "category is a category's slug or null";
        return std::nullopt;
      }
    } else if (key == "gate") {
      auto g = parse_gate(value, &why);
      if (!g)
        return std::nullopt;
      p.has_gate = true;
      p.access = std::move(*g);
    } else {
      why = "field '" + key + "' is unknown, read-only or of the wrong type";
      return std::nullopt;
    }
  }
  return p;
}

void patch(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto id = video_id_of(req, res);
  if (!id)
    return;
  auto type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0 && type.rfind("application/merge-patch+json", 0) != 0)
    return problem(res, 415, "send application/json");
  std::string why;
  auto p = parse_patch(req.body, why);
  if (!p)
    return problem(res, 400, why);
  auto v = ask<video>(ctx, ctx.peer<service::video_store>(), caf::update_atom::value, acting(), *id, std::move(*p));
  if (!v)
    return problem(res, v.error());
  send_json(res, api_json(*v));
}

void remove(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto id = video_id_of(req, res);
  if (!id)
    return;
  auto done = ask<caf::ok_atom>(ctx, ctx.peer<service::video_store>(), caf::delete_atom::value, acting(), *id);
  if (!done)
    return problem(res, done.error());
  res.status = 204;
}

// POST /api/v1/videos/upload?title=...: the whole file in one streamed body.
void simple_upload(const gateway_context& ctx, const httplib::Request& req,
                   httplib::Response& res, const httplib::ContentReader& body) {
  auto refuse = [&](int status, const std::string& detail) { problem(res, status, detail); };
  if (!req.has_header("Content-Length"))
    return refuse(411, "send the file with Content-Length");
  auto length = text::parse_u64(req.get_header_value("Content-Length"));
  if (!length || *length == 0)
    return refuse(400, "the body is empty");
  if (*length > ctx.tus_max_size)
    return refuse(413, "the file exceeds the upload size limit");
  upload_spec spec;
  spec.owner = signed_in_user();
  spec.length = *length;
  auto title = text_param(req, "title", limits::title_bytes, res);
  auto description = title ? text_param(req, "description", limits::description_bytes, res) : std::nullopt;
  auto filename = description ? text_param(req, "filename", limits::title_bytes, res) : std::nullopt;
  if (!filename)
    return;
  spec.title = std::move(*title);
  spec.description = std::move(*description);
  spec.filename = std::move(*filename);
  auto tags = tus::parse_tags(req.get_param_value("tags"));
  if (!tags)
    return refuse(400, "tags: at most 32, each at most 64 characters");
  spec.tags = std::move(*tags);
  auto info = ask<upload_info>(ctx, ctx.peer<service::uploads>(), create_atom::value, std::move(spec));
  if (!info)
    return problem(res, info.error());
  auto session = ask<upload_session_actor>(ctx, ctx.peer<service::uploads>(), caf::open_atom::value, info->id);
  if (!session)
    return problem(res, session.error());
  auto out = stream_body(ctx, *session, 0, std::nullopt, req, body);
  if (!out.info)
    return problem(res, out.info.error());
  if (out.info->state != upload_state::finished)
    return problem(res, 400, "the body ended before Content-Length bytes");
  auto v = ask<video>(ctx, ctx.peer<service::video_store>(), caf::get_atom::value, video_atom::value,
                      out.info->video_id);
  if (!v)
    return problem(res, v.error());
  res.set_header("Location", base + "/" + v->id);
  send_json(res, api_json(*v), 201);
}

}  // namespace

void add_video_routes(router& r, const gateway_context& ctx) {
  const std::string one = base + "/{id}";
  r.get(base, "api", [&ctx](const httplib::Request& q, httplib::Response& s) { list(ctx, q, s); });
  r.post_stream(base + "/upload", {"upload", auth_need::required},
                [&ctx](const httplib::Request& q, httplib::Response& s,
                       const httplib::ContentReader& b) { simple_upload(ctx, q, s, b); });
  r.get(one, "api", [&ctx](const httplib::Request& q, httplib::Response& s) { get_one(ctx, q, s); });
  r.patch(one, {"api", auth_need::required}, [&ctx](const httplib::Request& q, httplib::Response& s) { patch(ctx, q, s); });
  r.del(one, {"api", auth_need::required}, [&ctx](const httplib::Request& q, httplib::Response& s) { remove(ctx, q, s); });
}

}  // namespace sg
