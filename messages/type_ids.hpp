#pragma once
// Every type that crosses an actor boundary, in one CAF type-ID block: the
// form CAF 0.17 accepts and CAF 0.18+ requires. registry.cpp registers the
// block; every process must (remote handles match only with the same types).
#include <vector>

#include <caf/type_id.hpp>

#include "messages/admin_actor.hpp"
#include "messages/analytics_actor.hpp"
#include "messages/auth_actor.hpp"
#include "messages/cache_actor.hpp"
#include "messages/cluster_actor.hpp"
#include "messages/directory.hpp"
#include "messages/gateway_actor.hpp"
#include "messages/jobs_actor.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/monitor_actor.hpp"
#include "messages/nft_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(streamgate, caf::first_custom_type_id)

  // Videos, uploads, jobs
  CAF_ADD_TYPE_ID(streamgate, (sg::principal))
  CAF_ADD_TYPE_ID(streamgate, (sg::video))
  CAF_ADD_TYPE_ID(streamgate, (sg::video_patch))
  CAF_ADD_TYPE_ID(streamgate, (sg::video_query))
  CAF_ADD_TYPE_ID(streamgate, (sg::video_page))
  CAF_ADD_TYPE_ID(streamgate, (sg::video_state))
  CAF_ADD_TYPE_ID(streamgate, (sg::upload_spec))
  CAF_ADD_TYPE_ID(streamgate, (sg::upload_info))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::upload_info>))
  CAF_ADD_TYPE_ID(streamgate, (sg::job_state))
  CAF_ADD_TYPE_ID(streamgate, (sg::job_attempt))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::job_attempt>))
  CAF_ADD_TYPE_ID(streamgate, (sg::job_info))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::job_info>))

  // Catalogue
  CAF_ADD_TYPE_ID(streamgate, (sg::category))
  CAF_ADD_TYPE_ID(streamgate, (sg::category_patch))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::category>))
  CAF_ADD_TYPE_ID(streamgate, (sg::playlist))
  CAF_ADD_TYPE_ID(streamgate, (sg::playlist_patch))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::playlist>))

  // Analytics
  CAF_ADD_TYPE_ID(streamgate, (sg::view_event))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::view_event>))
  CAF_ADD_TYPE_ID(streamgate, (sg::view_stats))
  CAF_ADD_TYPE_ID(streamgate, (sg::view_stats_row))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::view_stats_row>))
  CAF_ADD_TYPE_ID(streamgate, (sg::rendition_time))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::rendition_time>))
  CAF_ADD_TYPE_ID(streamgate, (sg::analytics_point))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::analytics_point>))
  CAF_ADD_TYPE_ID(streamgate, (sg::analytics_report))
  CAF_ADD_TYPE_ID(streamgate, (sg::video_rank))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::video_rank>))

  // Transcoding
  CAF_ADD_TYPE_ID(streamgate, (sg::source_limits))
  CAF_ADD_TYPE_ID(streamgate, (sg::transcode_ticket))
  CAF_ADD_TYPE_ID(streamgate, (sg::transcode_outcome))
  CAF_ADD_TYPE_ID(streamgate, (sg::job_progress))
  CAF_ADD_TYPE_ID(streamgate, (sg::pool_status))
  CAF_ADD_TYPE_ID(streamgate, (sg::pool_bounds))

  // Media
  CAF_ADD_TYPE_ID(streamgate, (sg::media_paths))
  CAF_ADD_TYPE_ID(streamgate, (sg::media_stat))

  // Sign-in, gates, cache
  CAF_ADD_TYPE_ID(streamgate, (sg::challenge_request))
  CAF_ADD_TYPE_ID(streamgate, (sg::challenge))
  CAF_ADD_TYPE_ID(streamgate, (sg::signed_challenge))
  CAF_ADD_TYPE_ID(streamgate, (sg::session))
  CAF_ADD_TYPE_ID(streamgate, (sg::holding_check))
  CAF_ADD_TYPE_ID(streamgate, (sg::contract_signature))
  CAF_ADD_TYPE_ID(streamgate, (sg::rpc_outcome))
  CAF_ADD_TYPE_ID(streamgate, (sg::cache_lookup))
  CAF_ADD_TYPE_ID(streamgate, (sg::cache_stats))
  CAF_ADD_TYPE_ID(streamgate, (sg::cache_report))
  CAF_ADD_TYPE_ID(streamgate, (sg::cache_ring))

  // Monitor
  CAF_ADD_TYPE_ID(streamgate, (sg::log_query))
  CAF_ADD_TYPE_ID(streamgate, (sg::log_lines))
  CAF_ADD_TYPE_ID(streamgate, (sg::alert_info))
  CAF_ADD_TYPE_ID(streamgate, (sg::alert_list))

  // Jobs
  CAF_ADD_TYPE_ID(streamgate, (sg::schedule_info))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::schedule_info>))
  CAF_ADD_TYPE_ID(streamgate, (sg::webhook_event))
  CAF_ADD_TYPE_ID(streamgate, (sg::webhook))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::webhook>))
  CAF_ADD_TYPE_ID(streamgate, (sg::delivery_attempt))
  CAF_ADD_TYPE_ID(streamgate, (sg::delivery))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::delivery>))

  // Cluster
  CAF_ADD_TYPE_ID(streamgate, (sg::member_record))
  CAF_ADD_TYPE_ID(streamgate, (sg::member_view))
  CAF_ADD_TYPE_ID(streamgate, (sg::cluster_view))
  CAF_ADD_TYPE_ID(streamgate, (sg::offered_service))
  CAF_ADD_TYPE_ID(streamgate, (std::vector<sg::offered_service>))

  // Actor handles
  CAF_ADD_TYPE_ID(streamgate, (sg::metadata_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::upload_manager_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::upload_session_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::transcode_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::worker_host_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::worker_launcher_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::auth_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::nft_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::rpc_worker_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::cache_shard_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::cache_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::directory_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::media_store_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::gateway_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::cluster_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::greeter_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::ops_store_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::jobs_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::admin_actor))
  CAF_ADD_TYPE_ID(streamgate, (sg::analytics_actor))

CAF_END_TYPE_ID_BLOCK(streamgate)
