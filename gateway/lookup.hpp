#pragma once
// Shared by the routes: the video a request names.
#include <optional>
#include <string>

#include <httplib.h>

#include "gateway/context.hpp"

namespace sg {


/// The video id of the path's first capture, when well-formed; otherwise
/// answers 404 and returns nothing.
std::optional<std::string> video_id_of(const httplib::Request& req, httplib::Response& res);

/// The video the path names, or nothing with the problem answered.
std::optional<video> find_video(const gateway_context& ctx, const httplib::Request& req,
                                httplib::Response& res);

}  // namespace sg
