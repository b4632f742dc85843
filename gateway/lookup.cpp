#include "gateway/lookup.hpp"

#include "gateway/ask.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "runtime/ids.hpp"

namespace sg {

std::optional<std::string> video_id_of(const httplib::Request& req, httplib::Response& res) {
  auto id = path_param(1);
  if (is_video_id(id))
    return id;
  problem(res, 404, "no such video");
  return std::nullopt;
}

std::optional<video> find_video(const gateway_context& ctx, const httplib::Request& req,
                                httplib::Response& res) {
  auto id = video_id_of(req, res);
  if (!id)
    return std::nullopt;
  auto v = ask<video>(ctx, ctx.peer<service::video_store>(), caf::get_atom::value, video_atom::value, *id);
  if (!v) {
    problem(res, v.error());
    return std::nullopt;
  }
  return std::move(*v);
}

}  // namespace sg
