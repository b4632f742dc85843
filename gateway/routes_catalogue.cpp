// The catalogue: categories (anyone reads them; the operator, with the admin
// token, makes, renames and deletes them) and playlists (their owner's, a
// session required to make one; anyone with the id reads one).
// docs/architecture.md §Catalogue.
#include <nlohmann/json.hpp>

#include "gateway/admin_token.hpp"
#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/query_params.hpp"
#include "gateway/routes.hpp"
#include "messages/catalogue_json.hpp"
#include "messages/limits.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/json.hpp"

namespace sg {

namespace {

const std::string categories_path = "/api/v1/categories";
const std::string playlists_path = "/api/v1/playlists";

using req_t = const httplib::Request&;
using res_t = httplib::Response&;

nlohmann::json api_json(const category& c) {
  nlohmann::json j = c;
  j["created_at"] = iso8601_ms(c.created_ms);
  j["updated_at"] = iso8601_ms(c.updated_ms);
  return j;
}

nlohmann::json api_json(const playlist& p) {
  nlohmann::json j = p;
  j["created_at"] = iso8601_ms(p.created_ms);
  j["updated_at"] = iso8601_ms(p.updated_ms);
  return j;
}

template <class T>
nlohmann::json items_json(const std::vector<T>& xs) {
  auto items = nlohmann::json::array();
  for (const auto& x : xs)
    items.push_back(api_json(x));
  return {{"items", std::move(items)}};
}

// The body as a JSON object, or nothing with 415/400 answered.
std::optional<nlohmann::json> object_body(req_t req, res_t res) {
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    problem(res, 415, "send application/json");
    return std::nullopt;
  }
  std::string why;
  auto body = parse_json(req.body, &why);
  if (!body || !body->is_object()) {
    problem(res, 400, body ? "the body must be a JSON object" : why);
    return std::nullopt;
  }
  return body;
}

// Reads the body's fields one by one; the first bad one is the answer.
class fields {
public:
  explicit fields(const nlohmann::json& body) : body_(body) {}

  /// A string field of at most `max_bytes` (non-empty when `required`).
  std::optional<std::string> text(const char* key, size_t max_bytes, bool required) {
    auto it = body_.find(key);
    if (it == body_.end()) {
      if (required)
        fail(std::string{key} + " is required");
      return std::nullopt;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max_bytes ||
        (required && it->get_ref<const std::string&>().empty()))
      fail(std::string{key} + " is a string of " + (required ? "1 to " : "at most ") + std::to_string(max_bytes) +
           " bytes");
    else
      return it->get<std::string>();
    return std::nullopt;
  }

  /// Refuses any key not in `known`.
  void only(std::initializer_list<const char*> known) {
    for (const auto& [key, value] : body_.items())
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
        fail("field '" + key + "' is unknown or read-only");
  }

  void fail(std::string why) {
    if (why_.empty())
      why_ = std::move(why);
  }
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  const nlohmann::json& body() const { return body_; }

private:
  const nlohmann::json& body_;
  std::string why_;
};

// ---- categories

// A slug: lowercase ASCII letters and digits in words joined by single '-'.
bool is_slug(const std::string& s) {
  if (s.empty() || s.size() > limits::slug_bytes || s.front() == '-' || s.back() == '-')
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!word && (c != '-' || s[i - 1] == '-'))
      return false;
  }
  return true;
}

// The slug a name suggests: its ASCII letters and digits, lowercased, each run
// of anything else one '-' ("Live Music!" -> "live-music"); empty when none.
std::string slug_of(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out += static_cast<char>(c);
    else if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-')
      out += '-';
    if (out.size() == limits::slug_bytes)
      break;
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out;
}

void list_categories(const gateway_context& ctx, req_t, res_t res) {
  auto all = ask<std::vector<category>>(ctx, ctx.peer<service::catalogue>(), list_atom::value, category_atom::value);
  if (!all)
    return problem(res, all.error());
  send_json(res, items_json(*all));
}

void get_category(const gateway_context& ctx, req_t, res_t res) {
  auto all = ask<std::vector<category>>(ctx, ctx.peer<service::catalogue>(), list_atom::value, category_atom::value);
  if (!all)
    return problem(res, all.error());
  for (const auto& c : *all)
    if (c.slug == path_param(1))
      return send_json(res, api_json(c));
  problem(res, 404, "no such category");
}

void create_category(const gateway_context& ctx, req_t req, res_t res) {
  if (!admin(ctx, req, res))
    return;
  auto body = object_body(req, res);
  if (!body)
    return;
  fields f{*body};
  f.only({"name", "slug", "description"});
  category c;
  c.name = f.text("name", limits::category_name_bytes, true).value_or("");
  c.description = f.text("description", limits::category_description_bytes, false).value_or("");
  c.slug = f.text("slug", limits::slug_bytes, false).value_or(slug_of(c.name));
  if (f.ok() && !is_slug(c.slug))
    f.fail(body->contains("slug") ? "slug is lowercase letters and digits in words joined by '-'"
                                  : "the name suggests no slug: give one (lowercase letters, digits, '-')");
  if (!f.ok())
    return problem(res, 400, f.why());
  auto made = ask<category>(ctx, ctx.peer<service::catalogue>(), create_atom::value, std::move(c));
  if (!made)
    return problem(res, made.error());
  res.set_header("Location", categories_path + "/" + made->slug);
  send_json(res, api_json(*made), 201);
}

void edit_category(const gateway_context& ctx, req_t req, res_t res) {
  if (!admin(ctx, req, res))
    return;
  auto body = object_body(req, res);
  if (!body)
    return;
  fields f{*body};
  f.only({"name", "description"});
  category_patch p;
  if (auto name = f.text("name", limits::category_name_bytes, body->contains("name")))
    p.has_name = true, p.name = std::move(*name);
  if (auto description = f.text("description", limits::category_description_bytes, false))
    p.has_description = true, p.description = std::move(*description);
  if (!f.ok())
    return problem(res, 400, f.why());
  if (!is_slug(path_param(1)))
    return problem(res, 404, "no such category");
  auto c = ask<category>(ctx, ctx.peer<service::catalogue>(), caf::update_atom::value, category_atom::value,
                         path_param(1), std::move(p));
  if (!c)
    return problem(res, c.error());
  send_json(res, api_json(*c));
}

void delete_category(const gateway_context& ctx, req_t req, res_t res) {
  if (!admin(ctx, req, res))
    return;
  if (!is_slug(path_param(1)))
    return problem(res, 404, "no such category");
  auto done = ask<caf::ok_atom>(ctx, ctx.peer<service::catalogue>(), caf::delete_atom::value, category_atom::value,
                                path_param(1));
  if (!done)
    return problem(res, done.error());
  res.status = 204;
}

// ---- playlists

// The path's playlist id, or nothing with 404 answered.
std::optional<std::string> playlist_id(res_t res) {
  if (is_video_id(path_param(1)))
    return path_param(1);
  problem(res, 404, "no such playlist");
  return std::nullopt;
}

// video_ids: at most limits::playlist_videos well-formed ids.
std::optional<std::vector<std::string>> video_ids_of(fields& f) {
  auto it = f.body().find("video_ids");
  if (it == f.body().end())
    return std::nullopt;
  std::vector<std::string> ids;
  if (!it->is_array() || it->size() > limits::playlist_videos) {
    f.fail("video_ids is an array of at most " + std::to_string(limits::playlist_videos) + " video ids");
    return std::nullopt;
  }
  for (const auto& id : *it) {
    if (!id.is_string() || !is_video_id(id.get_ref<const std::string&>())) {
      f.fail("video_ids holds video ids (16 lowercase hex digits)");
      return std::nullopt;
    }
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

std::optional<playlist_visibility> visibility_of(fields& f) {
  auto it = f.body().find("visibility");
  if (it == f.body().end())
    return std::nullopt;
  auto v = it->is_string() ? parse_state<playlist_visibility>(it->get_ref<const std::string&>()) : std::nullopt;
  if (!v)
    f.fail("visibility is \"public\" or \"unlisted\"");
  return v;
}

void create_playlist(const gateway_context& ctx, req_t req, res_t res) {
  auto body = object_body(req, res);
  if (!body)
    return;
  fields f{*body};
  f.only({"title", "description", "visibility", "video_ids"});
  playlist p;
  p.title = f.text("title", limits::title_bytes, true).value_or("");
  p.description = f.text("description", limits::description_bytes, false).value_or("");
  p.visibility = visibility_of(f).value_or(playlist_visibility::is_public);
  p.video_ids = video_ids_of(f).value_or(std::vector<std::string>{});
  if (!f.ok())
    return problem(res, 400, f.why());
  auto made = ask<playlist>(ctx, ctx.peer<service::catalogue>(), create_atom::value, acting(), std::move(p));
  if (!made)
    return problem(res, made.error());
  res.set_header("Location", playlists_path + "/" + made->id);
  send_json(res, api_json(*made), 201);
}

// A page of playlists: the public ones, or one owner's (your unlisted ones
// too). The cursor names the last one of the page; the next page goes on
// after it.
void list_playlists(const gateway_context& ctx, req_t req, res_t res) {
  auto owner = text_param(req, "owner", 128, res);
  auto cursor = owner ? text_param(req, "cursor", 64, res) : std::nullopt;
  auto limit = cursor ? limit_param(req, 20, 100, res) : std::nullopt;
  if (!limit)
    return;
  auto page = ask<std::vector<playlist>>(ctx, ctx.peer<service::catalogue>(), list_atom::value,
                                         playlist_atom::value, acting(), *owner, *cursor, *limit);
  if (!page)
    return problem(res, page.error());
  auto body = items_json(*page);
  body["next_cursor"] = nullptr;
  if (page->size() == *limit)
    body["next_cursor"] = std::to_string(page->back().created_ms) + "_" + page->back().id;
  send_json(res, body);
}

void get_playlist(const gateway_context& ctx, req_t, res_t res) {
  auto id = playlist_id(res);
  if (!id)
    return;
  auto p = ask<playlist>(ctx, ctx.peer<service::catalogue>(), caf::get_atom::value, playlist_atom::value, *id);
  if (!p)
    return problem(res, p.error());
  send_json(res, api_json(*p));
}

void edit_playlist(const gateway_context& ctx, req_t req, res_t res) {
  auto body = object_body(req, res);
  if (!body)
    return;
  fields f{*body};
  f.only({"title", "description", "visibility", "video_ids"});
  playlist_patch p;
  if (auto title = f.text("title", limits::title_bytes, body->contains("title")))
    p.has_title = true, p.title = std::move(*title);
  if (auto description = f.text("description", limits::description_bytes, false))
    p.has_description = true, p.description = std::move(*description);
  if (auto visibility = visibility_of(f))
    p.has_visibility = true, p.visibility = *visibility;
  if (auto ids = video_ids_of(f))
    p.has_video_ids = true, p.video_ids = std::move(*ids);
  if (!f.ok())
    return problem(res, 400, f.why());
  auto id = playlist_id(res);
  if (!id)
    return;
  auto edited = ask<playlist>(ctx, ctx.peer<service::catalogue>(), caf::update_atom::value, acting(), *id,
                              std::move(p));
  if (!edited)
    return problem(res, edited.error());
  send_json(res, api_json(*edited));
}

void delete_playlist(const gateway_context& ctx, req_t, res_t res) {
  auto id = playlist_id(res);
  if (!id)
    return;
  auto done = ask<caf::ok_atom>(ctx, ctx.peer<service::catalogue>(), caf::delete_atom::value, playlist_atom::value,
                                acting(), *id);
  if (!done)
    return problem(res, done.error());
  res.status = 204;
}

}  // namespace

void add_catalogue_routes(router& r, const gateway_context& ctx) {
  const std::string category = categories_path + "/{slug}";
  const std::string one_playlist = playlists_path + "/{id}";
  auto route = [&ctx](void (*f)(const gateway_context&, req_t, res_t)) {
    return [&ctx, f](req_t q, res_t s) { f(ctx, q, s); };
  };
  r.get(categories_path, "api", route(list_categories));
  r.get(category, "api", route(get_category));
  r.post(categories_path, {"api", auth_need::none}, route(create_category));
  r.patch(category, {"api", auth_need::none}, route(edit_category));
  r.del(category, {"api", auth_need::none}, route(delete_category));
  r.get(playlists_path, "api", route(list_playlists));
  r.get(one_playlist, "api", route(get_playlist));
  r.post(playlists_path, {"api", auth_need::required}, route(create_playlist));
  r.patch(one_playlist, {"api", auth_need::required}, route(edit_playlist));
  r.del(one_playlist, {"api", auth_need::required}, route(delete_playlist));
}

}  // namespace sg
