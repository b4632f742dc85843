#include "runtime/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

namespace sg {

const std::vector<std::string>& all_roles() {
  static const std::vector<std::string> roles{
    "gateway", "upload", "transcode", "stream", "metadata",
    "cache",   "auth",   "jobs",      "monitor"};
  return roles;
}

bool node_config::has_role(const std::string& role) const {
  return roles.empty() || std::find(roles.begin(), roles.end(), role) != roles.end();
}

namespace {

// Flags that may also come from the environment. CLI11 2.1 lets a config file
// override an environment variable, so the environment is applied here, as
// flags placed before the real ones, and only for flags not given explicitly.
struct env_flag {
  const char* flag;
  const char* env;
  char repeat_on = '\0';  // the variable lists several values of a repeatable flag
};
constexpr env_flag env_flags[] = {
  {"--data-dir", "STREAMGATE_DATA_DIR"},
  {"--http-host", "STREAMGATE_HTTP_HOST"},
  {"--http-port", "STREAMGATE_HTTP_PORT"},
  {"--roles", "STREAMGATE_ROLES"},
  {"--log-level", "STREAMGATE_LOG_LEVEL"},
  {"--cors-origins", "STREAMGATE_CORS_ORIGINS"},
  {"--upload-max-size", "STREAMGATE_UPLOAD_MAX_SIZE"},
  {"--upload-expiry", "STREAMGATE_UPLOAD_EXPIRY"},
  {"--transcode-preset", "STREAMGATE_TRANSCODE_PRESET"},
  {"--secret", "STREAMGATE_SECRET"},
  {"--admin-token", "STREAMGATE_ADMIN_TOKEN"},
  {"--auth-domain", "STREAMGATE_AUTH_DOMAIN"},
  {"--chain", "STREAMGATE_CHAINS", ';'},
  {"--jwt-key", "STREAMGATE_JWT_KEYS", ','},
  {"--etcd", "STREAMGATE_ETCD"},
  {"--cluster-name", "STREAMGATE_CLUSTER_NAME"},
  {"--cluster-port", "STREAMGATE_CLUSTER_PORT"},
  {"--cluster-advertise", "STREAMGATE_CLUSTER_ADVERTISE"},
  {"--certs-dir", "STREAMGATE_CERTS_DIR"},
  {"--media", "STREAMGATE_MEDIA"},
};

bool given(const std::vector<std::string>& args, const std::string& flag) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return a == flag || a.rfind(flag + "=", 0) == 0;
  });
}

std::vector<std::string> with_environment(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& ef : env_flags) {
    const char* value = std::getenv(ef.env);
    if (value == nullptr || *value == '\0' || given(args, ef.flag))
      continue;
    std::string text{value};
    size_t start = 0;
    while (start <= text.size()) {
      auto end = ef.repeat_on ? text.find(ef.repeat_on, start) : std::string::npos;
      auto item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!item.empty()) {
        out.emplace_back(ef.flag);
        out.emplace_back(item);
      }
      if (end == std::string::npos)
        break;
      start = end + 1;
    }
  }
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

void add_options(CLI::App& app, node_config& c) {
  app.set_config("--config", "", "Config file (TOML or INI, keys as the long flags)");
  app.add_flag("--check-config", c.check_only,
               "Check the settings (flags, environment, config file) and exit: 0 and the effective "
               "settings when a node would start with them");
  app.add_option("--data-dir", c.data_dir, "Data directory (RocksDB, uploads, media)")
    ->capture_default_str();
  app.add_option("--http-host", c.http.host, "HTTP listen address")->capture_default_str();
  app.add_option("--http-port", c.http.port, "HTTP listen port (0 picks a free one)")
    ->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--roles", c.roles, "Roles to run (default all): " +
                 [] { std::string s; for (auto& r : all_roles()) s += r + ","; s.pop_back(); return s; }())
    ->delimiter(',')->check(CLI::IsMember(all_roles()));
  app.add_option("--log-ring-lines", c.log_ring_lines,
                 "Recent log lines kept in memory for GET /api/v1/admin/logs (0: none)")
    ->capture_default_str()->check(CLI::Range(size_t{0}, size_t{1000000}));
  app.add_option("--log-level", c.log_level, "debug, info, warn or error")
    ->capture_default_str()->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--scheduler-threads", c.scheduler_threads, "Actor threads (0 = cores)")
    ->check(CLI::NonNegativeNumber);
  app.add_option("--shutdown-grace", c.shutdown_grace_s,
                 "Seconds in-flight requests get at shutdown")->capture_default_str();
  app.add_option("--http-threads", c.http.threads,
                 "Threads that run request handlers (connections are served by the event loops)")
    ->capture_default_str()->check(CLI::Range(1, 1024));
  app.add_option("--http-loops", c.http.loops, "HTTP event loops (0 = cores)")
    ->capture_default_str()->check(CLI::Range(0, 256));
  app.add_option("--http-max-connections", c.http.max_connections,
                 "Open HTTP connections at most, in total (503 beyond; capped by the descriptor limit)")
    ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  app.add_option("--http-max-connections-per-ip", c.http.max_connections_per_ip,
                 "Open HTTP connections at most from one client address (503 beyond)")
    ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  app.add_option("--http-keepalive-max", c.http.keepalive_max,
                 "Requests per keep-alive connection")->capture_default_str();
  app.add_option("--http-keepalive-timeout", c.http.keepalive_timeout_s,
                 "Seconds a connection may wait for its next request")->capture_default_str();
  app.add_option("--http-head-timeout", c.http.head_timeout_s,
                 "Seconds a request head (request line and headers) may take to arrive")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--http-read-timeout", c.http.read_timeout_s, "Seconds a JSON body may take whole, or a streamed body between reads")
    ->capture_default_str();
  app.add_option("--http-write-timeout", c.http.write_timeout_s, "Seconds an answer may go without progress")
    ->capture_default_str();
  app.add_option("--http-max-header-bytes", c.http.max_header_bytes,
                 "Limit on the request head: request line and headers (431 beyond)")
    ->capture_default_str()->check(CLI::Range(1024, 1 << 20));
  app.add_option("--http-max-body-bytes", c.http.max_body_bytes,
                 "Limit on non-upload request bodies (413 beyond)")->capture_default_str();
  app.add_option("--cors-origins", c.http.cors_origins,
                 "Origins allowed by CORS, comma-separated (* = any)")->delimiter(',');
  app.add_option("--secret", c.secret,
                 "HMAC secret for playback tokens (default: generated into the data directory)");
  app.add_option("--auth-domain", c.auth.domain,
                 "The SIWE domain wallets sign for (default: http host:port)");
  app.add_option("--chain", c.chain_specs, "A chain: ID=URL[,URL...] (JSON-RPC, in failover order)")
    ->take_all();
  app.add_option("--jwt-key", c.jwt_key_specs,
                 "A JWT key: KID:SECRET (HS256) or KID:@FILE.pem (ES256, P-256); the first "
                 "signs, all verify (default: generated)")
    ->take_all();
  app.add_option("--jwt-alg", c.jwt_alg, "Algorithm of the generated key when no --jwt-key is given")
    ->capture_default_str()->check(CLI::IsMember({"HS256", "ES256"}));
  app.add_option("--jwt-ttl", c.auth.session_ttl_s, "Seconds a session lasts")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--challenge-ttl", c.auth.challenge_ttl_s, "Seconds a sign-in challenge lasts")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--nft-cache-positive", c.nft.positive_ttl_s, "Seconds a passing NFT check is cached")
    ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--nft-cache-negative", c.nft.negative_ttl_s, "Seconds a failing NFT check is cached")
    ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--rpc-timeout-ms", c.nft.rpc_timeout_ms, "Timeout of one JSON-RPC call")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--rpc-breaker-failures", c.nft.breaker_failures,
                 "Consecutive failures that open an endpoint's circuit")->capture_default_str();
  app.add_option("--rpc-breaker-open", c.nft.breaker_open_s,
                 "Seconds an open circuit skips its endpoint")->capture_default_str();
  app.add_option("--rate-limit", c.http.rate_limits,
                 "GROUP=RATE/BURST per IP and per wallet; groups auth (5/20), upload (50/100), "
                 "api (100/200), media (unlimited); RATE 0 lifts a limit")
    ->take_all();
  app.add_option("--alert", c.alert_specs,
                 "Override an alert rule: NAME=THRESHOLD[/FOR_SECONDS] or NAME=off (rules: "
                 "transcode_failures, transcode_backlog, transcode_queue_age, disk_free, "
                 "rpc_circuit_open, etcd_unreachable, node_down; see README)")
    ->take_all();
  app.add_option("--webhook-attempts", c.webhooks.attempts,
                 "Attempts at a webhook delivery before it becomes a dead letter")
    ->capture_default_str()->check(CLI::Range(1, 20));
  app.add_option("--webhook-backoff-ms", c.webhooks.backoff_ms,
                 "Delay before a webhook delivery's second attempt; doubles with each")
    ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  app.add_flag("--webhook-allow-private", c.webhooks.allow_private,
               "Let webhooks reach loopback, private and link-local addresses (tests, intranets)");
  app.add_option("--admin-token", c.http.admin_token,
                 "Token (X-Admin-Token) of the admin API; unset: admin API off");
  app.add_option("--cache-shards", c.cache_shards, "Cache shard actors")
    ->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--cache-bytes", c.cache_bytes, "Bytes all cache shards hold together")
    ->capture_default_str();
  app.add_option("--playback-ttl", c.http.playback_ttl_s, "Seconds a playback token is valid")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--actor-timeout-ms", c.http.actor_timeout_ms,
                 "Timeout of every gateway request to an actor")->capture_default_str();
  app.add_option("--upload-max-size", c.upload.max_size, "Tus-Max-Size in bytes")
    ->capture_default_str();
  app.add_option("--upload-expiry", c.upload.expiry_s, "Seconds an unfinished upload lives")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--upload-sweep-interval", c.upload.sweep_interval_s,
                 "Seconds between sweeps of expired uploads")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--analytics-retention-days", c.analytics.retention_days,
                 "Days playback figures are kept (0: forever)")
    ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--analytics-flush-interval", c.analytics.flush_interval_s,
                 "Seconds between writes of folded views (0: 5 alone, 30 on a cluster)")
    ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--transcode-workers-min", c.transcode.min_workers, "Transcode workers kept idle")
    ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--transcode-workers-max", c.transcode.max_workers,
                 "Most transcodes at once (0 = cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--transcode-attempts", c.transcode.max_attempts,
                 "Attempts before a transiently failing job fails")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--transcode-backoff-ms", c.transcode.backoff_ms,
                 "First retry delay; doubles with each retry")->capture_default_str();
  app.add_option("--transcode-preset", c.transcode.preset, "x264 preset")
    ->capture_default_str()
    ->check(CLI::IsMember({"ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                           "slow", "slower", "veryslow"}));
  app.add_option("--segment-seconds", c.transcode.segment_seconds, "CMAF segment length")
    ->capture_default_str()->check(CLI::Range(1, 20));
  app.add_option("--ladder", c.transcode.heights,
                 "Rung heights, comma-separated (default 2160,1440,1080,720,480,360,240)")
    ->delimiter(',')->check(CLI::Range(144, 4320));
  app.add_option("--max-source-width", c.transcode.max_source_width,
                 "Widest source picture accepted")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-source-height", c.transcode.max_source_height,
                 "Tallest source picture accepted")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-source-pixels", c.transcode.max_source_pixels,
                 "Most pixels in one source frame")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-source-fps", c.transcode.max_source_fps, "Highest source frame rate")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-source-duration", c.transcode.max_source_duration_s,
                 "Longest source accepted, seconds")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-source-streams", c.transcode.max_source_streams,
                 "Most streams in one source file")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--worker-memory-bytes", c.transcode.worker_memory_bytes,
                 "Address-space limit of each transcode worker process (0 = none)")
    ->capture_default_str();
  app.add_option("--worker-cpu-seconds", c.transcode.worker_cpu_seconds,
                 "CPU seconds one transcode may use before its worker is stopped (0 = no limit)")
    ->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--min-free-bytes", c.upload.min_free_bytes,
                 "Free disk space below which new uploads and PATCHes get 507 (reads go on)")
    ->capture_default_str();
  app.add_option("--quota-bytes", c.upload.quota_bytes,
                 "Storage quota per owner: active uploads and video sources (0 = none)")
    ->capture_default_str();
  app.add_option("--etcd", c.cluster.etcd,
                 "etcd endpoints, comma-separated (http(s)://host:port); given: run clustered")
    ->delimiter(',');
  app.add_option("--etcd-cacert", c.cluster.etcd_cacert, "CA of etcd's server certificates");
  app.add_option("--etcd-cert", c.cluster.etcd_cert, "Client certificate towards etcd");
  app.add_option("--etcd-key", c.cluster.etcd_key, "Key of the client certificate towards etcd");
  app.add_option("--cluster-name", c.cluster.name, "Name of the cluster (peers of another are refused)")
    ->capture_default_str();
  app.add_option("--cluster-port", c.cluster.port, "Port of the node's mutual-TLS actor transport")
    ->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--cluster-advertise", c.cluster.advertise,
                 "HOST:PORT peers reach the transport at (default: HTTP host, cluster port)");
  app.add_option("--certs-dir", c.cluster.certs_dir,
                 "Directory of ca.crt, node.crt and node.key (streamgate certs makes them)");
  app.add_option("--cluster-lease-ttl", c.cluster.lease_ttl_s,
                 "Seconds without keepalive after which etcd drops this node")
    ->capture_default_str()->check(CLI::Range(1, 60));
  app.add_option("--media", c.media_url,
                 "Media shared through S3: s3://BUCKET?endpoint=URL&region=R (credentials from "
                 "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); a cluster needs it");
  app.add_option("--media-cache-bytes", c.media_cache_bytes,
                 "Bytes of shared media a node keeps on its disk (least recently used out)")
    ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--upload-idle-timeout", c.upload.idle_timeout_s,
                 "Seconds before an idle upload session actor stops")
    ->capture_default_str()->check(CLI::PositiveNumber);
}

// A clustered node without its certificates would talk anonymous TLS (CAF's
// default) or abort half-configured: refuse it here, with the reason.
std::string check_cluster(const cluster_settings& c) {
  if (!c.enabled())
    return {};
  if (c.certs_dir.empty())
    return "a clustered node (--etcd) needs --certs-dir with ca.crt, node.crt and node.key "
           "(streamgate certs create-ca / create-node make them)";
  for (const char* file : {"ca.crt", "node.crt", "node.key"})
    if (::access((c.certs_dir + "/" + file).c_str(), R_OK) != 0)
      return "a clustered node needs " + c.certs_dir + "/" + file + ": " + std::strerror(errno);
  if (c.etcd_cert.empty() != c.etcd_key.empty())
    return "--etcd-cert and --etcd-key go together";
  for (const auto& url : c.etcd)
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      return "--etcd takes http(s)://host:port URLs, got '" + url + "'";
  for (char ch : c.name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.')
      return "--cluster-name takes letters, digits, '-', '_' and '.'";
  if (c.name.empty() || c.name.size() > 64)
    return "--cluster-name takes 1-64 characters";
  return {};
}

// The settings as the config file would hold them, secrets blanked.
std::string redacted(const std::string& toml) {
  static const char* secret_keys[] = {"secret", "admin-token", "jwt-key"};
  std::istringstream in{toml};
  std::string out;
  for (std::string line; std::getline(in, line);) {
    for (const char* key : secret_keys)
      if (line.rfind(std::string{key} + "=", 0) == 0 && line.size() > std::strlen(key) + 1 &&
          line.substr(std::strlen(key) + 1) != "\"\"" && line.substr(std::strlen(key) + 1) != "[]")
        line = std::string{key} + "=\"(redacted)\"";
    out += line + "\n";
  }
  return out;
}

}  // namespace

config_result parse_node_config(const std::vector<std::string>& args) {
  config_result out;
  CLI::App app{"Runs a StreamGate node with the given roles.", "streamgate node"};
  add_options(app, out.config);
  auto full = with_environment(args);
  std::vector<std::string> reversed(full.rbegin(), full.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    out.exit_code = e.get_exit_code();
    out.message = e.get_name() == "CallForHelp" ? app.help() : std::string{e.what()};
    return out;
  }
  auto& c = out.config;
  c.effective = redacted(app.config_to_str(true, false));
  // What would be saved as a config file must start a node, not check it.
  if (auto at = c.effective.find("check-config=true\n"); at != std::string::npos)
    c.effective.erase(at, std::strlen("check-config=true\n"));
  c.upload.data_dir = c.data_dir;
  c.transcode.data_dir = c.data_dir;
  if (c.auth.domain.empty())
    c.auth.domain = (c.http.host == "0.0.0.0" ? "localhost" : c.http.host) + ":" + std::to_string(c.http.port);
  for (const auto& spec : c.chain_specs) {
    auto eq = spec.find('=');
    std::vector<std::string> urls;
    for (size_t start = eq + 1; eq != std::string::npos && start < spec.size();) {
      auto comma = spec.find(',', start);
      urls.push_back(spec.substr(start, comma - start));
      start = comma == std::string::npos ? spec.size() : comma + 1;
    }
    auto id = eq == std::string::npos ? std::string{} : spec.substr(0, eq);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos || urls.empty()) {
      out.exit_code = 2;
      out.message = "--chain must be ID=URL[,URL...], got '" + spec + "'";
      return out;
    }
    c.auth.chains.emplace_back(std::stoull(id), std::move(urls));
  }
  c.nft.chains = c.auth.chains;
  if (c.transcode.max_workers == 0)
    c.transcode.max_workers = std::max(1u, std::thread::hardware_concurrency());
  c.transcode.max_workers = std::max(c.transcode.max_workers, c.transcode.min_workers);
  if (c.scheduler_threads == 0)
    c.scheduler_threads = std::max(2u, std::thread::hardware_concurrency());
  if (auto why = check_cluster(c.cluster); !why.empty()) {
    out.exit_code = 2;
    out.message = why;
    return out;
  }
  if (c.cluster.enabled() && c.media_url.empty()) {
    out.exit_code = 2;
    out.message = "a cluster keeps its media in S3, so that every node serves every video: give "
                  "--media s3://BUCKET?endpoint=URL (local media would be one node's only)";
    return out;
  }
  if (!c.media_url.empty() && c.media_url.rfind("s3://", 0) != 0) {
    out.exit_code = 2;
    out.message = "--media takes s3://BUCKET?endpoint=URL&region=R, got '" + c.media_url + "'";
    return out;
  }
  if (c.cluster.enabled() && c.cluster.advertise.empty())
    c.cluster.advertise = (c.http.host == "0.0.0.0" ? "127.0.0.1" : c.http.host) + ":" +
                          std::to_string(c.cluster.port);
  out.run = !c.check_only;
  if (c.check_only)
    out.message = "# the settings are valid; effective:\n" + c.effective;
  return out;
}

}  // namespace sg
