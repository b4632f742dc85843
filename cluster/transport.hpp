#pragma once
// How a clustered node's processes talk CAF to each other (docs/architecture.md
// §Cluster transport): BASP over mutual TLS from the cluster CA, an app
// identifier per cluster, and heartbeat and timeout settings that must be
// identical in every process (a peer with other settings is declared dead
// while idle). The node and its worker processes apply the same settings.
#include <chrono>
#include <string>

#include <caf/expected.hpp>
#include <openssl/types.h>

namespace caf { class actor_system_config; }

namespace sg::cluster {

/// The app identifier of a cluster's processes; BASP refuses other ones.
std::string app_id(const std::string& cluster_name);

/// Heartbeats, connection timeout, automatic connections, app identifier.
void configure_transport(caf::actor_system_config& cfg, const std::string& app_id);

/// Loads CAF's openssl module with DIR/node.crt, DIR/node.key and DIR/ca.crt:
/// both ends of every connection must show a certificate of that CA.
void configure_tls(caf::actor_system_config& cfg, const std::string& certs_dir);

/// The common name on the certificate that the TLS server at host:port
/// presents, verified against DIR/ca.crt while showing our own node
/// certificate. errc::unavailable when it could not be asked (no
/// connection, no answer in time), errc::forbidden when the answer is wrong
/// (another CA, no TLS, no certificate).
caf::expected<std::string> peer_common_name(const std::string& host_port, const std::string& certs_dir,
                                            std::chrono::milliseconds timeout);

/// The certificate's subject common name (UTF-8); empty when it has none.
std::string common_name(X509* cert);

/// "host:port" split (IPv6 in brackets); false when malformed.
bool split_host_port(const std::string& host_port, std::string& host, uint16_t& port);

}  // namespace sg::cluster
