// The cluster certificates: chains verify, names and hosts land where peers
// look, keys stay private, nothing is overwritten unasked, and two nodes
// complete a mutual TLS handshake configured as CAF's openssl module does it
// while a certificate from another CA is refused.
#define BOOST_TEST_MODULE certs
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "app/certs.hpp"

namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/sg-certs-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { fs::remove_all(path); }
};

sg::certs::options in(const fs::path& dir, const fs::path& ca_key) {
  return {dir.string(), ca_key.string(), 0, false};
}

struct cluster_ca {
  temp_dir dir;
  sg::certs::options opts = in(dir.path / "certs", dir.path / "ca.key");
  cluster_ca() { sg::certs::create_ca(opts); }
  std::string file(const std::string& name) const { return (dir.path / "certs" / name).string(); }
};

X509* read_cert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  BOOST_REQUIRE(f != nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  BOOST_REQUIRE(cert != nullptr);
  return cert;
}

// X509_verify_cert of `leaf` against `ca` for the given purpose.
bool verifies(const std::string& leaf, const std::string& ca, int purpose) {
  X509* cert = read_cert(leaf);
  X509* root = read_cert(ca);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(root);
  X509_free(cert);
  return ok;
}

std::string alt_names(const std::string& path) {
  X509* cert = read_cert(path);
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  std::string out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    auto* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS)
      out += "DNS:" + std::string{reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName))} + " ";
    else if (n->type == GEN_IPADD)
      out += "IP:" + std::to_string(ASN1_STRING_length(n->d.iPAddress)) + "bytes ";
  }
  GENERAL_NAMES_free(names);
  X509_free(cert);
  return out;
}

// An SSL context set up the way CAF 0.17's openssl session does it when
// certificates are configured.
SSL_CTX* caf_like_context(const std::string& cert, const std::string& key, const std::string& ca) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  BOOST_REQUIRE(SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) == 1);
  BOOST_REQUIRE(SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) == 1);
  BOOST_REQUIRE(SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) == 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  BOOST_REQUIRE(SSL_CTX_set_cipher_list(ctx, "HIGH:!aNULL:!MD5") == 1);
  return ctx;
}

// Runs a handshake between two contexts over an in-memory BIO pair.
bool handshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx) {
  SSL* client = SSL_new(client_ctx);
  SSL* server = SSL_new(server_ctx);
  BIO *client_bio = nullptr, *server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(server, server_bio, server_bio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  bool client_done = false, server_done = false, failed = false;
  for (int round = 0; round < 20 && !failed && !(client_done && server_done); ++round) {
    for (auto [ssl, done] : {std::pair{client, &client_done}, std::pair{server, &server_done}}) {
      if (*done)
        continue;
      int rc = SSL_do_handshake(ssl);
      if (rc == 1)
        *done = true;
      else if (int e = SSL_get_error(ssl, rc); e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
        failed = true;
    }
  }
  ERR_clear_error();
  SSL_free(client);
  SSL_free(server);
  return client_done && server_done && !failed;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_node_certificate_verifies_against_its_ca_for_both_ends_of_a_connection) {
  cluster_ca ca;
  sg::certs::create_node(ca.opts, "node-a", {"localhost", "127.0.0.1", "::1"});
  BOOST_TEST(verifies(ca.file("node.crt"), ca.file("ca.crt"), X509_PURPOSE_SSL_SERVER));
  BOOST_TEST(verifies(ca.file("node.crt"), ca.file("ca.crt"), X509_PURPOSE_SSL_CLIENT));
  BOOST_TEST(sg::certs::common_name(ca.file("node.crt")) == "node-a");
  BOOST_TEST(alt_names(ca.file("node.crt")) == "DNS:node-a DNS:localhost IP:4bytes IP:16bytes ");
  BOOST_TEST(sg::certs::common_name(ca.file("ca.crt")) == "StreamGate CA");
}

BOOST_AUTO_TEST_CASE(private_keys_are_readable_by_their_owner_only) {
  cluster_ca ca;
  sg::certs::create_node(ca.opts, "node-a", {});
  sg::certs::create_client(ca.opts, "alice");
  for (const auto& key : {ca.opts.ca_key, ca.file("node.key"), ca.file("client.alice.key")}) {
    struct stat st {};
    BOOST_REQUIRE(::stat(key.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600, key);
  }
}

BOOST_AUTO_TEST_CASE(a_client_certificate_is_for_clients_only) {
  cluster_ca ca;
  sg::certs::create_client(ca.opts, "alice");
  BOOST_TEST(verifies(ca.file("client.alice.crt"), ca.file("ca.crt"), X509_PURPOSE_SSL_CLIENT));
  BOOST_TEST(!verifies(ca.file("client.alice.crt"), ca.file("ca.crt"), X509_PURPOSE_SSL_SERVER));
  BOOST_TEST(sg::certs::common_name(ca.file("client.alice.crt")) == "alice");
}

BOOST_AUTO_TEST_CASE(nothing_is_overwritten_unless_asked) {
  cluster_ca ca;
  sg::certs::create_node(ca.opts, "node-a", {});
  BOOST_CHECK_THROW(sg::certs::create_node(ca.opts, "node-b", {}), std::runtime_error);
  BOOST_TEST(sg::certs::common_name(ca.file("node.crt")) == "node-a");
  BOOST_CHECK_THROW(sg::certs::create_ca(ca.opts), std::runtime_error);
  auto again = ca.opts;
  again.overwrite = true;
  sg::certs::create_node(again, "node-b", {});
  BOOST_TEST(sg::certs::common_name(ca.file("node.crt")) == "node-b");
}

BOOST_AUTO_TEST_CASE(a_renewed_ca_keeps_its_key_and_still_verifies_what_it_signed) {
  cluster_ca ca;
  sg::certs::create_node(ca.opts, "node-a", {});
  auto renew = ca.opts;
  renew.overwrite = true;
  sg::certs::create_ca(renew);
  BOOST_TEST(verifies(ca.file("node.crt"), ca.file("ca.crt"), X509_PURPOSE_SSL_SERVER));
}

BOOST_AUTO_TEST_CASE(names_that_could_escape_a_file_or_a_subject_are_refused) {
  cluster_ca ca;
  for (const char* bad : {"", "../x", "a/b", "a,b", ".hidden", "-flag", "x\ny"})
    BOOST_CHECK_THROW(sg::certs::create_node(ca.opts, bad, {}), std::runtime_error);
  BOOST_CHECK_THROW(sg::certs::create_node(ca.opts, "ok", {"a,IP:1.2.3.4"}), std::runtime_error);
  BOOST_CHECK_THROW(sg::certs::create_client(ca.opts, "../../etc/passwd"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_certificate_needs_the_key_of_the_ca_in_the_directory) {
  cluster_ca ours, theirs;
  auto mixed = ours.opts;
  mixed.ca_key = theirs.opts.ca_key;
  BOOST_CHECK_THROW(sg::certs::create_node(mixed, "node-a", {}), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(two_nodes_of_one_ca_shake_hands_and_a_foreign_certificate_is_refused) {
  cluster_ca ours, theirs;
  auto a = ours.opts, b = ours.opts, x = theirs.opts;
  a.certs_dir = (ours.dir.path / "a").string();
  b.certs_dir = (ours.dir.path / "b").string();
  for (auto* dir : {&a, &b}) {
    std::filesystem::create_directories(dir->certs_dir);
    std::filesystem::copy_file(ours.file("ca.crt"), dir->certs_dir + "/ca.crt");
  }
  sg::certs::create_node(a, "node-a", {"127.0.0.1"});
  sg::certs::create_node(b, "node-b", {"127.0.0.1"});
  sg::certs::create_node(x, "intruder", {"127.0.0.1"});
  auto ctx = [](const sg::certs::options& o, const std::string& ca) {
    return caf_like_context(o.certs_dir + "/node.crt", o.certs_dir + "/node.key", ca);
  };
  SSL_CTX* node_a = ctx(a, a.certs_dir + "/ca.crt");
  SSL_CTX* node_b = ctx(b, b.certs_dir + "/ca.crt");
  SSL_CTX* intruder = ctx(x, theirs.file("ca.crt"));
  BOOST_TEST(handshake(node_a, node_b));
  BOOST_TEST(handshake(node_b, node_a));
  BOOST_TEST(!handshake(intruder, node_a));
  BOOST_TEST(!handshake(node_a, intruder));
  // Without a certificate of its own a client is refused as well.
  SSL_CTX* anonymous = SSL_CTX_new(TLS_method());
  SSL_CTX_set_verify(anonymous, SSL_VERIFY_NONE, nullptr);
  BOOST_TEST(!handshake(anonymous, node_a));
  for (auto* c : {node_a, node_b, intruder, anonymous})
    SSL_CTX_free(c);
}
