#include "messages/registry.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/errors.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/auth_actor.hpp"
#include "messages/cache_actor.hpp"
#include "messages/gateway_actor.hpp"
#include "messages/nft_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"

namespace sg {

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<video>("video");
  cfg.add_message_type<video_patch>("video_patch");
  cfg.add_message_type<video_query>("video_query");
  cfg.add_message_type<video_page>("video_page");
  cfg.add_message_type<upload_spec>("upload_spec");
  cfg.add_message_type<upload_info>("upload_info");
  cfg.add_message_type<job_info>("job_info");
  cfg.add_message_type<std::vector<job_info>>("std::vector<job_info>");
  cfg.add_message_type<transcode_outcome>("transcode_outcome");
  cfg.add_message_type<source_limits>("source_limits");
  cfg.add_message_type<transcode_ticket>("transcode_ticket");
  cfg.add_message_type<job_progress>("job_progress");
  cfg.add_message_type<video_state>("video_state");
  cfg.add_message_type<challenge_request>("challenge_request");
  cfg.add_message_type<challenge>("challenge");
  cfg.add_message_type<signed_challenge>("signed_challenge");
  cfg.add_message_type<session>("session");
  cfg.add_message_type<auth_actor>("auth_actor");
  cfg.add_message_type<holding_check>("holding_check");
  cfg.add_message_type<cache_lookup>("cache_lookup");
  cfg.add_message_type<cache_stats>("cache_stats");
  cfg.add_message_type<cache_shard_actor>("cache_shard_actor");
  cfg.add_message_type<rpc_outcome>("rpc_outcome");
  cfg.add_message_type<contract_signature>("contract_signature");
  cfg.add_message_type<nft_actor>("nft_actor");
  cfg.add_message_type<rpc_worker_actor>("rpc_worker_actor");
  cfg.add_message_type<transcode_actor>("transcode_actor");
  cfg.add_message_type<worker_host_actor>("worker_host_actor");
  cfg.add_message_type<worker_launcher_actor>("worker_launcher_actor");
  cfg.add_message_type<metadata_actor>("metadata_actor");
  cfg.add_message_type<upload_session_actor>("upload_session_actor");
  cfg.add_message_type<upload_manager_actor>("upload_manager_actor");
  cfg.add_message_type<gateway_actor>("gateway_actor");
  cfg.add_error_category(caf::atom("streamgate"),
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           auto text = to_string(static_cast<errc>(code));
                           return ctx.empty() ? text : text + ": " + to_string(ctx);
                         });
}

}  // namespace sg
