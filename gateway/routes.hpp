#pragma once
#include "gateway/context.hpp"
#include "gateway/router.hpp"

namespace sg {
void add_health_routes(router& r, const gateway_context& ctx);
void add_video_routes(router& r, const gateway_context& ctx);
void add_upload_routes(router& r, const gateway_context& ctx);
void add_job_routes(router& r, const gateway_context& ctx);
void add_stream_routes(router& r, const gateway_context& ctx);
void add_auth_routes(router& r, const gateway_context& ctx);
void add_nft_routes(router& r, const gateway_context& ctx);
void add_admin_routes(router& r, const gateway_context& ctx);
void add_webhook_routes(router& r, const gateway_context& ctx);
void add_catalogue_routes(router& r, const gateway_context& ctx);
void add_analytics_routes(router& r, const gateway_context& ctx);
void add_web_routes(router& r, const gateway_context& ctx);
/// Every route above, in the order they are tried.
void add_all_routes(router& r, const gateway_context& ctx);
}
