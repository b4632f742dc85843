#pragma once
// The cluster's certificates, CockroachDB's convention: a dedicated cluster
// CA (DIR/ca.crt, its key wherever the operator keeps it), one certificate
// per node (DIR/node.crt, DIR/node.key: server and client use, the node's
// name as CN, its hosts as subjectAltName) and one per shell user
// (DIR/client.NAME.crt, DIR/client.NAME.key). ECDSA P-256, signed with
// SHA-256. docs/architecture.md §Cluster transport.
#include <string>
#include <vector>

namespace sg::certs {

struct options {
  std::string certs_dir;
  std::string ca_key;   // path of the CA's private key
  int days = 0;         // 0: 10 years for a CA, 5 for the others
  bool overwrite = false;  // replace existing files instead of refusing
};

/// Each throws std::runtime_error with a sentence for the operator.
void create_ca(const options& o);
void create_node(const options& o, const std::string& name, const std::vector<std::string>& hosts);
void create_client(const options& o, const std::string& name);

/// The common name of a PEM certificate file (throws when unreadable).
std::string common_name(const std::string& cert_path);

/// `streamgate certs ...`; returns the process exit code.
int run(const std::vector<std::string>& args);

}  // namespace sg::certs
