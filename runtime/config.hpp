#pragma once
// Node settings. Precedence, lowest first: defaults < config file (--config,
// TOML/INI) < STREAMGATE_* environment < command-line flags.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sg {

struct http_settings {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 16;  // run request handlers; connections live on the event loops
  int loops = 0;     // event loops; 0: one per core
  // Sized for many viewers behind one load balancer or NAT; the total is
  // capped by the descriptor limit.
  int max_connections = 20000;
  int max_connections_per_ip = 10000;
  int keepalive_max = 1000;  // nginx's keepalive_requests
  int keepalive_timeout_s = 60;  // an idle connection costs a few KiB on a loop (nginx: 75)
  int head_timeout_s = 10;  // the whole request head, from its first byte
  int read_timeout_s = 30;
  int write_timeout_s = 30;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1 << 20;  // for JSON bodies; uploads stream
  std::vector<std::string> cors_origins;  // "*" allows any origin
  int actor_timeout_ms = 10000;  // every request to an actor is bounded
  int playback_ttl_s = 600;      // lifetime of a playback token
  std::vector<std::string> rate_limits;  // GROUP=RATE/BURST overrides
  std::string admin_token;  // empty: the admin API answers 403
};

struct upload_settings {
  std::string data_dir;
  uint64_t max_size = uint64_t{16} << 30;  // Tus-Max-Size
  int64_t expiry_s = 24 * 3600;
  int sweep_interval_s = 60;
  int idle_timeout_s = 300;  // an idle session actor stops; RocksDB keeps it
  uint64_t min_free_bytes = uint64_t{128} << 20;  // below: new uploads and PATCHes get 507
  uint64_t quota_bytes = 0;  // per owner; 0: none
  std::string id_tag;  // on a cluster: this member's tag, first in its upload ids
};

struct transcode_settings {
  std::string data_dir;
  int min_workers = 0;
  int max_workers = 0;  // 0 = number of cores
  int max_attempts = 3;
  int backoff_ms = 1000;  // doubles with each retry
  int worker_idle_s = 30;  // idle workers above the minimum stop after this
  std::string preset = "veryfast";
  int segment_seconds = 4;
  std::vector<int> heights;  // empty: 2160/1440/1080/720/480/360/240
  // What a source may hold (checked at probe time and while decoding).
  int max_source_width = 7680;
  int max_source_height = 4320;
  int64_t max_source_pixels = int64_t{7680} * 4320;
  double max_source_fps = 240;
  int64_t max_source_duration_s = 6 * 3600;
  int max_source_streams = 16;
  // Each job runs in a `streamgate worker` process with these limits.
  uint64_t worker_memory_bytes = uint64_t{6} << 30;  // address space; 0: none
  int64_t worker_cpu_seconds = 4 * 3600;             // CPU per job; 0: none
  std::string node_id;  // on a cluster, this member's id: jobs are claimed under it
};

struct auth_settings {
  std::string domain;  // the SIWE domain; default: http host:port
  std::vector<std::pair<uint64_t, std::vector<std::string>>> chains;  // id -> RPC URLs
  std::vector<std::pair<std::string, std::string>> jwt_keys;  // kid -> secret; first signs
  int64_t session_ttl_s = 3600;
  int challenge_ttl_s = 300;
};

struct nft_settings {
  std::vector<std::pair<uint64_t, std::vector<std::string>>> chains;  // id -> RPC URLs
  int positive_ttl_s = 30;  // how long "holds" is believed
  int negative_ttl_s = 10;
  int rpc_timeout_ms = 2000;
  int breaker_failures = 3;  // consecutive failures that open an endpoint's circuit
  int breaker_open_s = 10;   // then one trial call (half-open)
};

struct webhook_settings {
  uint32_t attempts = 8;
  int64_t backoff_ms = 1000;  // doubles with each attempt
  bool allow_private = false;  // loopback, private and link-local targets (tests, intranets)
};

// Playback analytics (docs/architecture.md §Analytics).
struct analytics_settings {
  int retention_days = 30;   // rows of older hours are deleted hourly; 0: kept forever
  int flush_interval_s = 0;  // 0: 5 s on a single node, 30 s on a cluster (each flush writes etcd)
};

// Cluster mode (docs/architecture.md §Cluster): on when etcd endpoints are
// given; the node then needs its certificates (a cluster CA's ca.crt,
// node.crt, node.key in certs_dir) and speaks mutual TLS on `port`.
struct cluster_settings {
  std::vector<std::string> etcd;  // http(s)://host:port of the etcd members
  std::string etcd_cacert, etcd_cert, etcd_key;  // TLS towards etcd
  std::string name = "streamgate";  // nodes of other clusters are refused
  int port = 9710;
  std::string advertise;  // host:port peers dial; default: the HTTP host and port
  std::string certs_dir;
  int lease_ttl_s = 2;  // a node silent this long (+ etcd's slack) is gone
  std::string member_id;  // this run's id among the members (set at start)

  bool enabled() const { return !etcd.empty(); }
};

struct node_config {
  std::string data_dir = "./data";
  std::vector<std::string> roles;  // empty = every role
  std::string log_level = "info";
  size_t log_ring_lines = 10000;  // recent log lines kept in memory (GET /api/v1/admin/logs)
  int scheduler_threads = 0;  // 0 = number of cores
  int shutdown_grace_s = 10;
  int cache_shards = 4;
  uint64_t cache_bytes = uint64_t{64} << 20;  // all shards together
  std::string secret;  // HMAC key of playback tokens; empty: generated, persisted
  std::string media_url;  // s3://BUCKET?endpoint=...: media shared through S3; empty: local only
  uint64_t media_cache_bytes = uint64_t{10} << 30;  // local copy of shared media
  http_settings http;
  upload_settings upload;
  transcode_settings transcode;
  auth_settings auth;
  nft_settings nft;
  webhook_settings webhooks;
  analytics_settings analytics;
  cluster_settings cluster;
  std::vector<std::string> chain_specs;    // --chain ID=URL[,URL...]
  std::vector<std::string> jwt_key_specs;  // --jwt-key KID:SECRET | KID:@FILE.pem
  std::string jwt_alg = "HS256";           // of a generated key
  std::vector<std::string> alert_specs;    // --alert NAME=THRESHOLD[/FOR_S] | NAME=off
  bool check_only = false;  // --check-config: validate, print the effective settings, exit
  std::string effective;  // every setting as a config file holds it, secrets redacted (the shell's `config`)

  bool has_role(const std::string& role) const;
};

/// Every role a node can run.
const std::vector<std::string>& all_roles();

/// Outcome of reading `streamgate node` arguments: either a config, or text to
/// print (help, or an error) and the exit code to leave with.
struct config_result {
  node_config config;
  bool run = false;
  int exit_code = 0;
  std::string message;
};

/// Parses the arguments after `streamgate node`; reads the environment.
config_result parse_node_config(const std::vector<std::string>& args);

}  // namespace sg
