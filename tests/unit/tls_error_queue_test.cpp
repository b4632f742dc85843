// A peer that vanishes without closing TLS must not make a healthy
// connection's would-block read look like a failure. CAF's session reads
// OpenSSL's per-thread error queue without emptying it, so the process's
// SSL_read and SSL_write empty it first (cluster/tls_error_queue.cpp,
// docs/research/cluster-flap.md). Two connections share this thread as
// CAF's connections share its multiplexer thread.
#define BOOST_TEST_MODULE tls_error_queue
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "app/certs.hpp"

namespace fs = std::filesystem;

namespace {

using ctx_ptr = std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)>;

// A server context with a node certificate of a fresh CA, and a client one.
struct contexts {
  fs::path dir;
  ctx_ptr server{SSL_CTX_new(TLS_server_method()), SSL_CTX_free};
  ctx_ptr client{SSL_CTX_new(TLS_client_method()), SSL_CTX_free};
  contexts() {
    char tmpl[] = "/tmp/sg-tls-queue-XXXXXX";
    dir = ::mkdtemp(tmpl);
    sg::certs::options o{(dir / "certs").string(), (dir / "ca.key").string(), 0, false};
    sg::certs::create_ca(o);
    sg::certs::create_node(o, "node-a", {"127.0.0.1"});
    BOOST_REQUIRE(SSL_CTX_use_certificate_chain_file(server.get(), (dir / "certs/node.crt").c_str()) == 1);
    BOOST_REQUIRE(SSL_CTX_use_PrivateKey_file(server.get(), (dir / "certs/node.key").c_str(), SSL_FILETYPE_PEM) == 1);
    std::signal(SIGPIPE, SIG_IGN);
  }
  ~contexts() { fs::remove_all(dir); }
};

// Both ends of one TLS connection over a non-blocking socket pair.
struct connection {
  SSL* client = nullptr;
  SSL* server = nullptr;
  int server_fd = -1;

  connection(const contexts& c) {
    int fds[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
    client = SSL_new(c.client.get());
    server = SSL_new(c.server.get());
    SSL_set_fd(client, fds[0]);
    SSL_set_fd(server, fds[1]);
    server_fd = fds[1];
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    bool client_done = false;
    bool server_done = false;
    for (int step = 0; step < 100 && !(client_done && server_done); ++step) {
      client_done = client_done || SSL_do_handshake(client) == 1;
      server_done = server_done || SSL_do_handshake(server) == 1;
    }
    BOOST_REQUIRE(client_done && server_done);
  }
  ~connection() {
    for (SSL* ssl : {client, server}) {
      int fd = SSL_get_fd(ssl);
      SSL_free(ssl);
      if (fd >= 0)
        ::close(fd);
    }
  }

  // What SSL_get_error makes of a read on the client end.
  int read_outcome() {
    char buf[64];
    return SSL_get_error(client, SSL_read(client, buf, sizeof buf));
  }

  // The server process dies: its socket closes without a TLS close_notify.
  void kill_server() {
    ::shutdown(server_fd, SHUT_RDWR);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_vanished_peer_leaves_healthy_connections_alone) {
  contexts c;
  connection healthy(c);
  connection dying(c);
  BOOST_TEST(healthy.read_outcome() == SSL_ERROR_WANT_READ);

  dying.kill_server();
  // As CAF does: look at the failure, never empty the queue.
  BOOST_TEST(dying.read_outcome() == SSL_ERROR_SSL);
  BOOST_TEST(ERR_peek_error() != 0UL);

  BOOST_TEST(healthy.read_outcome() == SSL_ERROR_WANT_READ);
  BOOST_TEST(SSL_write(healthy.client, "ping", 4) == 4);
  char buf[8];
  BOOST_TEST(SSL_read(healthy.server, buf, sizeof buf) == 4);
}

// CAF's library calls what the dynamic linker finds first, so ours must be
// what it finds (exported from the executable), not libssl's.
BOOST_AUTO_TEST_CASE(the_process_resolves_ssl_read_and_write_to_ours) {
  BOOST_TEST(::dlsym(RTLD_DEFAULT, "SSL_read") == reinterpret_cast<void*>(&SSL_read));
  BOOST_TEST(::dlsym(RTLD_DEFAULT, "SSL_write") == reinterpret_cast<void*>(&SSL_write));
  BOOST_TEST(::dlsym(RTLD_NEXT, "SSL_read") != reinterpret_cast<void*>(&SSL_read));
}
