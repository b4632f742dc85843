// A typed request to an actor on another node (CAF BASP over mutual TLS on
// loopback, the greeting every member sends every second) against a raw TCP
// ping-pong of the same size on loopback, in the same run; then bytes
// streamed as 1 MiB chunk messages (a tus PATCH through another node)
// against the same bytes over a plain TLS connection.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include <openssl/ssl.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/all.hpp>
#include <caf/scoped_actor.hpp>

#include "app/certs.hpp"
#include "cluster/greeter.hpp"
#include "cluster/transport.hpp"
#include "messages/atoms.hpp"
#include "messages/registry.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

struct figures {
  double p50, p99, mean;
};

using ctx_ptr = std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)>;

figures summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v)
    sum += x;
  return {v[v.size() / 2], v[v.size() * 99 / 100], sum / static_cast<double>(v.size())};
}

// A socket listening on a free loopback port, whose address lands in `addr`.
int loopback_listener(sockaddr_in& addr) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listener, 1);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  return listener;
}

figures tcp_ping_pong(int n, size_t bytes) {
  sockaddr_in addr{};
  int listener = loopback_listener(addr);
  int one = 1;
  auto read_all = [](int fd, char* p, size_t k) {
    for (size_t got = 0; got < k;) {
      auto r = ::read(fd, p + got, k - got);
      if (r <= 0)
        return false;
      got += static_cast<size_t>(r);
    }
    return true;
  };
  std::thread echo{[&] {
    int fd = ::accept(listener, nullptr, nullptr);
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::vector<char> buf(bytes);
    while (read_all(fd, buf.data(), bytes))
      if (::write(fd, buf.data(), bytes) != static_cast<ssize_t>(bytes))
        break;
    ::close(fd);
  }};
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::vector<char> buf(bytes, 'x');
  std::vector<double> rtts;
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    if (::write(fd, buf.data(), bytes) != static_cast<ssize_t>(bytes) || !read_all(fd, buf.data(), bytes))
      break;
    rtts.push_back(micros(clock_type::now() - t0));
  }
  ::close(fd);
  echo.join();
  ::close(listener);
  return summarize(rtts);
}

// A TLS context holding `certs_dir`'s node certificate and trusting its CA,
// as a member's (mutual TLS).
ctx_ptr tls_context(const SSL_METHOD* method, const std::string& certs_dir) {
  ctx_ptr ctx{SSL_CTX_new(method), SSL_CTX_free};
  SSL_CTX_use_certificate_chain_file(ctx.get(), (certs_dir + "/node.crt").c_str());
  SSL_CTX_use_PrivateKey_file(ctx.get(), (certs_dir + "/node.key").c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_load_verify_locations(ctx.get(), (certs_dir + "/ca.crt").c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return ctx;
}

// MiB/s of `total` bytes written in `chunk`-sized SSL_writes over a loopback
// TLS connection between two members' certificates, read on the other end
// into one buffer: what the bytes cost without CAF.
double tls_stream(size_t total, size_t chunk, const std::string& client_certs, const std::string& server_certs) {
  sockaddr_in addr{};
  int listener = loopback_listener(addr);
  auto server_ctx = tls_context(TLS_server_method(), server_certs);
  auto client_ctx = tls_context(TLS_client_method(), client_certs);
  std::thread sink{[&] {
    int fd = ::accept(listener, nullptr, nullptr);
    SSL* ssl = SSL_new(server_ctx.get());
    SSL_set_fd(ssl, fd);
    std::vector<char> buf(chunk);
    if (SSL_accept(ssl) == 1)
      while (SSL_read(ssl, buf.data(), static_cast<int>(buf.size())) > 0) {
      }
    SSL_free(ssl);
    ::close(fd);
  }};
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  SSL* ssl = SSL_new(client_ctx.get());
  SSL_set_fd(ssl, fd);
  std::vector<char> buf(chunk, 'x');
  auto t0 = clock_type::now();
  size_t sent = 0;
  if (SSL_connect(ssl) == 1)
    for (; sent < total; sent += chunk)
      if (SSL_write(ssl, buf.data(), static_cast<int>(chunk)) <= 0)
        break;
  SSL_shutdown(ssl);
  ::shutdown(fd, SHUT_WR);
  sink.join();
  double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  SSL_free(ssl);
  ::close(fd);
  ::close(listener);
  if (sent < total)
    std::fprintf(stderr, "the TLS stream broke after %zu bytes\n", sent);
  return static_cast<double>(sent) / (1 << 20) / seconds;
}

// MiB/s of `total` bytes sent as chunk messages to an actor on the other
// node, `window` answers outstanding: what a tus PATCH through another node
// does (gateway/upload_body.cpp).
double caf_stream(caf::scoped_actor& self, const caf::actor& sink, size_t total, size_t chunk, size_t window) {
  using answer = decltype(self->request(sink, std::chrono::seconds(5), sg::chunk_atom::value, uint64_t{0}, std::vector<char>{}));
  std::deque<answer> in_flight;
  auto settle = [&] {
    in_flight.front().receive([](uint64_t) {}, [](caf::error& e) { std::fprintf(stderr, "%s\n", to_string(e).c_str()); });
    in_flight.pop_front();
  };
  auto t0 = clock_type::now();
  for (size_t sent = 0; sent < total; sent += chunk) {
    in_flight.push_back(self->request(sink, std::chrono::seconds(5), sg::chunk_atom::value, uint64_t{1}, std::vector<char>(chunk, 'x')));
    while (in_flight.size() >= window)
      settle();
  }
  while (!in_flight.empty())
    settle();
  return static_cast<double>(total) / (1 << 20) / std::chrono::duration<double>(clock_type::now() - t0).count();
}

void configure(caf::actor_system_config& cfg, const std::string& certs) {
  sg::register_messages(cfg);
  cfg.load<caf::io::middleman>();
  sg::cluster::configure_transport(cfg, sg::cluster::app_id("bench"));
  sg::cluster::configure_tls(cfg, certs);
  cfg.set("scheduler.max-threads", 2);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  char tmpl[] = "/tmp/sg-rtt-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  sg::certs::options o{dir + "/a", dir + "/ca.key", 0, false};
  sg::certs::create_ca(o);
  sg::certs::create_node(o, "bench-a", {"127.0.0.1"});
  auto b = o;
  b.certs_dir = dir + "/b";
  std::filesystem::create_directories(b.certs_dir);
  std::filesystem::copy_file(o.certs_dir + "/ca.crt", b.certs_dir + "/ca.crt");
  sg::certs::create_node(b, "bench-b", {"127.0.0.1"});

  caf::actor_system_config cfg_a, cfg_b;
  configure(cfg_a, o.certs_dir);
  configure(cfg_b, b.certs_dir);
  caf::actor_system sys_a{cfg_a}, sys_b{cfg_b};
  sg::member_record rb{"bench-b-1", "bench-b", "bench", "127.0.0.1:0", "", {}, 0};
  auto sink = sys_b.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](sg::hello_atom, const sg::member_record&, const caf::actor&) {}};
  });
  auto chunk_sink = sys_b.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](sg::chunk_atom, uint64_t, const std::vector<char>& bytes) { return static_cast<uint64_t>(bytes.size()); }};
  });
  auto greeter = sg::cluster::spawn_greeter(sys_b, {rb, sink, {}, {}});
  auto port = caf::openssl::publish(greeter, 0, "127.0.0.1", true);
  if (!port) {
    std::fprintf(stderr, "publish failed: %s\n", to_string(port.error()).c_str());
    return 1;
  }
  auto remote = caf::openssl::remote_actor<sg::greeter_actor>(sys_a, "127.0.0.1", *port);
  if (!remote) {
    std::fprintf(stderr, "connect failed: %s\n", to_string(remote.error()).c_str());
    return 1;
  }
  sg::member_record ra{"bench-a-1", "bench-a", "bench", "127.0.0.1:1", "", {}, 0};
  caf::scoped_actor self{sys_a};
  std::vector<double> rtts;
  for (int i = 0; i < n + 200; ++i) {
    auto t0 = clock_type::now();
    self->request(*remote, std::chrono::seconds(5), sg::hello_atom::value, std::string{"bench"}, ra, caf::actor{})
      .receive([](sg::member_record&) {}, [](caf::error& e) { std::fprintf(stderr, "%s\n", to_string(e).c_str()); });
    if (i >= 200)  // the first ones warm the connection
      rtts.push_back(micros(clock_type::now() - t0));
  }
  auto caf_rtt = summarize(rtts);
  auto sink_port = caf::openssl::publish(chunk_sink, 0, "127.0.0.1", true);
  auto remote_sink = sink_port ? caf::openssl::remote_actor(sys_a, "127.0.0.1", *sink_port) : caf::expected<caf::actor>{sink_port.error()};
  if (!remote_sink) {
    std::fprintf(stderr, "connect failed: %s\n", to_string(remote_sink.error()).c_str());
    return 1;
  }
  constexpr size_t MiB = 1 << 20, streamed = 256 * MiB;
  caf_stream(self, *remote_sink, 32 * MiB, MiB, 8);
  double caf_mibs = caf_stream(self, *remote_sink, streamed, MiB, 8);
  double tls_mibs = tls_stream(streamed, MiB, o.certs_dir, b.certs_dir);
  auto tcp = tcp_ping_pong(n, 256);
  std::printf("remote typed request (CAF BASP, mutual TLS, loopback): p50 %.1f us, p99 %.1f us, mean %.1f us\n",
              caf_rtt.p50, caf_rtt.p99, caf_rtt.mean);
  std::printf("raw TCP ping-pong, 256 bytes (anchor):                  p50 %.1f us, p99 %.1f us, mean %.1f us\n",
              tcp.p50, tcp.p99, tcp.mean);
  std::printf("ratio (p50): %.1fx the raw round trip\n", caf_rtt.p50 / tcp.p50);
  std::printf("1 MiB chunk messages, 8 in flight (CAF, mutual TLS): %.0f MiB/s; a TLS stream of 1 MiB writes (anchor): %.0f MiB/s; ratio %.2f\n",
              caf_mibs, tls_mibs, caf_mibs / tls_mibs);
  self->send_exit(chunk_sink, caf::exit_reason::user_shutdown);
  self->send_exit(greeter, caf::exit_reason::user_shutdown);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
  std::filesystem::remove_all(dir);
  return 0;
}
