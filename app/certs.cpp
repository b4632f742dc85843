// `streamgate certs`: makes the cluster CA and the node and client
// certificates with OpenSSL's API. docs/architecture.md §Cluster transport.
#include "app/certs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cluster/transport.hpp"

namespace sg::certs {

namespace {

template <class T, void (*Free)(T*)>
struct freeing {
  void operator()(T* p) const { Free(p); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, freeing<EVP_PKEY, EVP_PKEY_free>>;
using cert_ptr = std::unique_ptr<X509, freeing<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, freeing<BIO, BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, freeing<BIGNUM, BN_free>>;

constexpr int ca_days = 3650;
constexpr int leaf_days = 1825;

[[noreturn]] void fail(const std::string& what) {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    throw std::runtime_error(what);
  char reason[256];
  ERR_error_string_n(code, reason, sizeof reason);
  throw std::runtime_error(what + " (" + reason + ")");
}

std::string path_in(const options& o, const std::string& file) {
  return o.certs_dir + "/" + file;
}

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// Private keys are written 0600; nothing is replaced unless asked.
void write_file(const std::string& path, const std::string& content, mode_t mode, bool overwrite) {
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (overwrite ? 0 : O_EXCL);
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0)
    throw std::runtime_error(errno == EEXIST ? path + " exists (--overwrite replaces it)"
                                             : "cannot write " + path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok)
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

template <class Write>
std::string to_pem(Write&& write) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || write(bio.get()) != 1)
    fail("cannot encode PEM");
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<size_t>(len)};
}

std::string cert_pem(X509* cert) {
  return to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert); });
}

std::string key_pem(EVP_PKEY* key) {
  return to_pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

template <class T, class Read>
T read_pem(const std::string& path, Read&& read, const char* what) {
  bio_ptr bio{BIO_new_file(path.c_str(), "r")};
  if (!bio)
    fail("cannot read " + std::string{what} + " " + path);
  T out{read(bio.get())};
  if (!out)
    fail(path + " holds no " + what);
  return out;
}

key_ptr read_key(const std::string& path) {
  return read_pem<key_ptr>(path, [](BIO* b) { return PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr); },
                           "private key");
}

cert_ptr read_cert(const std::string& path) {
  return read_pem<cert_ptr>(path, [](BIO* b) { return PEM_read_bio_X509(b, nullptr, nullptr, nullptr); },
                            "certificate");
}

key_ptr new_key() {
  key_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    fail("cannot generate a P-256 key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr)
    fail("cannot make the extension " + value);
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  if (!ok)
    fail("cannot add the extension " + value);
}

// A certificate for `key` named `cn`, not yet signed; a random 127-bit
// serial so that re-issued certificates never collide.
cert_ptr new_cert(EVP_PKEY* key, const std::string& cn, int days) {
  cert_ptr cert{X509_new()};
  bignum_ptr serial{BN_new()};
  if (!cert || !serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr)
    fail("cannot make a certificate");
  // An hour of slack for clocks that run behind the CA's.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  auto* name = X509_get_subject_name(cert.get());
  auto text = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.c_str()); };
  if (X509_set_pubkey(cert.get(), key) != 1 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, text("StreamGate"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text(cn), -1, -1, 0) != 1)
    fail("cannot name the certificate " + cn);
  return cert;
}

void sign(X509* cert, X509* issuer, EVP_PKEY* issuer_key) {
  if (X509_set_issuer_name(cert, X509_get_subject_name(issuer)) != 1 ||
      X509_sign(cert, issuer_key, EVP_sha256()) == 0)
    fail("cannot sign the certificate");
}

// Names travel into subjects and file names: letters, digits, '.', '_', '-'.
void check_name(const std::string& name, const char* what) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '.' && name.front() != '-';
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  if (!ok)
    throw std::runtime_error(std::string{what} + " '" + name +
                             "' must be 1-64 letters, digits, '.', '_' or '-'");
}

std::string subject_alt_names(const std::string& name, const std::vector<std::string>& hosts) {
  std::string out = "DNS:" + name;
  for (const auto& host : hosts) {
    unsigned char addr[16];
    bool ip = ::inet_pton(AF_INET, host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
    if (!ip)
      check_name(host, "host");
    out += (ip ? ",IP:" : ",DNS:") + host;
  }
  return out;
}

struct authority {
  cert_ptr cert;
  key_ptr key;
};

authority load_authority(const options& o) {
  authority ca{read_cert(path_in(o, "ca.crt")), read_key(o.ca_key)};
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1)
    fail(o.ca_key + " is not the key of " + path_in(o, "ca.crt"));
  return ca;
}

void issue_leaf(const options& o, const std::string& cn, const std::string& usage,
                const std::string& alt_names, const std::string& file_stem) {
  auto ca = load_authority(o);
  auto key = new_key();
  auto cert = new_cert(key.get(), cn, o.days > 0 ? o.days : leaf_days);
  add_extension(cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca.cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), ca.cert.get(), NID_ext_key_usage, usage);
  add_extension(cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
  if (!alt_names.empty())
    add_extension(cert.get(), ca.cert.get(), NID_subject_alt_name, alt_names);
  sign(cert.get(), ca.cert.get(), ca.key.get());
  // The key first: a certificate without its key is of no use to anyone.
  write_file(path_in(o, file_stem + ".key"), key_pem(key.get()), 0600, o.overwrite);
  write_file(path_in(o, file_stem + ".crt"), cert_pem(cert.get()), 0644, o.overwrite);
}

void require_paths(const options& o) {
  if (o.certs_dir.empty() || o.ca_key.empty())
    throw std::runtime_error("--certs-dir and --ca-key are required");
  std::error_code ignored;  // a missing directory shows in the write that follows
  std::filesystem::create_directories(o.certs_dir, ignored);
  std::filesystem::create_directories(std::filesystem::path{o.ca_key}.parent_path(), ignored);
}

}  // namespace

void create_ca(const options& o) {
  require_paths(o);
  // An existing CA key is kept: a renewed CA certificate then still
  // verifies the node certificates it signed before.
  key_ptr key = exists(o.ca_key) ? read_key(o.ca_key) : new_key();
  auto cert = new_cert(key.get(), "StreamGate CA", o.days > 0 ? o.days : ca_days);
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), cert.get(), key.get());
  if (!exists(o.ca_key))
    write_file(o.ca_key, key_pem(key.get()), 0600, false);
  write_file(path_in(o, "ca.crt"), cert_pem(cert.get()), 0644, o.overwrite);
}

void create_node(const options& o, const std::string& name, const std::vector<std::string>& hosts) {
  require_paths(o);
  check_name(name, "node name");
  issue_leaf(o, name, "serverAuth,clientAuth", subject_alt_names(name, hosts), "node");
}

void create_client(const options& o, const std::string& name) {
  require_paths(o);
  check_name(name, "client name");
  issue_leaf(o, name, "clientAuth", "", "client." + name);
}

std::string common_name(const std::string& cert_path) {
  auto name = cluster::common_name(read_cert(cert_path).get());
  if (name.empty())
    throw std::runtime_error(cert_path + " has no common name");
  return name;
}

int run(const std::vector<std::string>& args) {
  CLI::App app{"streamgate certs: the cluster CA and the node and client certificates"};
  app.name("streamgate certs");
  app.require_subcommand(1, 1);
  options o;
  std::string name;
  std::vector<std::string> hosts;
  auto common = [&](CLI::App* cmd) {
    cmd->add_option("--certs-dir", o.certs_dir, "directory of ca.crt, node.crt, node.key")->required();
    cmd->add_option("--ca-key", o.ca_key, "the CA's private key (keep it off the nodes)")->required();
    cmd->add_option("--days", o.days, "validity in days (default: CA 3650, others 1825)")
      ->check(CLI::Range(1, 36500));
    cmd->add_flag("--overwrite", o.overwrite, "replace existing files");
  };
  auto* ca = app.add_subcommand("create-ca", "make the cluster CA (DIR/ca.crt and the CA key)");
  auto* node = app.add_subcommand("create-node", "make DIR/node.crt and DIR/node.key for NAME and its HOSTs");
  auto* client = app.add_subcommand("create-client", "make DIR/client.NAME.crt and .key (for the shell)");
  for (auto* cmd : {ca, node, client})
    common(cmd);
  node->add_option("name", name, "the node's name (its certificate's CN)")->required();
  node->add_option("hosts", hosts, "host names and IP addresses the node is reached at");
  client->add_option("name", name, "the user's name (its certificate's CN)")->required();
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (ca->parsed())
      create_ca(o);
    else if (node->parsed())
      create_node(o, name, hosts);
    else
      create_client(o, name);
  } catch (const std::exception& e) {
    std::cerr << "streamgate certs: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace sg::certs
