// CAF transport settings and the TLS identity probe. The probe exists
// because CAF 0.17 accepts any certificate of the CA and does not show the
// peer's certificate to the application (docs/architecture.md §Cluster
// transport): before greeting a member over CAF we check that the server at
// its advertised address holds a certificate with the member's name.
#include "cluster/transport.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include <caf/actor_system_config.hpp>
#include <caf/openssl/manager.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "messages/errors.hpp"

namespace sg::cluster {

namespace {

using namespace std::chrono_literals;

// Measured: 200 ms / 1 s detect a hung peer in about a second without
// declaring healthy idle peers dead.
constexpr auto heartbeat = caf::timespan{200ms};
constexpr auto connection_timeout = caf::timespan{1s};

// Could not ask (try again), or asked and was answered wrong.
caf::error fail(const std::string& why) {
  return make_error(errc::unavailable, why);
}

caf::error refuse(const std::string& why) {
  return make_error(errc::forbidden, why);
}

// A TCP connection to host:port within the timeout, or -1.
int dial(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, std::string& why) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    why = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard{found, ::freeaddrinfo};
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || (::connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS)) {
    why = "cannot connect to " + host + ":" + std::to_string(port);
    if (fd >= 0)
      ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    why = "no connection to " + host + ":" + std::to_string(port);
    ::close(fd);
    return -1;
  }
  // The handshake below blocks; bound it by socket timeouts.
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int flags = 0;
  ::ioctl(fd, FIONBIO, &flags);
  return fd;
}


}  // namespace

std::string common_name(X509* cert) {
  auto* subject = X509_get_subject_name(cert);
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0)
    return {};
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (len < 0)
    return {};
  std::string out{reinterpret_cast<char*>(utf8), static_cast<size_t>(len)};
  OPENSSL_free(utf8);
  return out;
}

std::string app_id(const std::string& cluster_name) {
  return "streamgate/" + cluster_name;
}

void configure_transport(caf::actor_system_config& cfg, const std::string& id) {
  cfg.set("middleman.heartbeat-interval", heartbeat);
  cfg.set("middleman.connection-timeout", connection_timeout);
  // Without them a handle learned through a third node is routed through it
  // and dies with it.
  cfg.set("middleman.enable-automatic-connections", true);
  cfg.set("middleman.app-identifiers", std::vector<std::string>{id});
}

void configure_tls(caf::actor_system_config& cfg, const std::string& certs_dir) {
  cfg.load<caf::openssl::manager>();
  cfg.openssl_certificate = certs_dir + "/node.crt";
  cfg.openssl_key = certs_dir + "/node.key";
  cfg.openssl_cafile = certs_dir + "/ca.crt";
}

bool split_host_port(const std::string& host_port, std::string& host, uint16_t& port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size())
    return false;
  host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto digits = host_port.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto value = std::stoul(digits);
  if (value == 0 || value > 65535)
    return false;
  port = static_cast<uint16_t>(value);
  return true;
}

caf::expected<std::string> peer_common_name(const std::string& host_port, const std::string& certs_dir,
                                            std::chrono::milliseconds timeout) {
  std::string host, why;
  uint16_t port = 0;
  if (!split_host_port(host_port, host, port))
    return refuse("not a host:port: " + host_port);
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx{SSL_CTX_new(TLS_client_method()), SSL_CTX_free};
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx.get(), (certs_dir + "/node.crt").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), (certs_dir + "/node.key").c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx.get(), (certs_dir + "/ca.crt").c_str(), nullptr) != 1) {
    ERR_clear_error();
    return fail("cannot load the certificates in " + certs_dir);
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  int fd = dial(host, port, timeout, why);
  if (fd < 0)
    return fail(why);
  std::unique_ptr<SSL, void (*)(SSL*)> ssl{SSL_new(ctx.get()), SSL_free};
  SSL_set_fd(ssl.get(), fd);
  caf::expected<std::string> out = fail("");
  if (int rc = SSL_connect(ssl.get()); rc != 1) {
    long verdict = SSL_get_verify_result(ssl.get());
    bool timed_out = SSL_get_error(ssl.get(), rc) == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (verdict != X509_V_OK)
      out = refuse(std::string{"its certificate is not from our CA: "} + X509_verify_cert_error_string(verdict));
    else
      out = timed_out ? fail("no TLS answer from " + host_port + " in time") : refuse("no TLS handshake with " + host_port);
  } else if (X509* cert = SSL_get1_peer_certificate(ssl.get())) {
    out = common_name(cert);
    X509_free(cert);
    SSL_shutdown(ssl.get());
  } else {
    out = refuse("it showed no certificate");
  }
  ERR_clear_error();
  ::close(fd);
  return out;
}

}  // namespace sg::cluster
