// A typed request to an actor on another node (CAF BASP over mutual TLS on
// loopback, the greeting every member sends every second) against a raw TCP
// ping-pong of the same size on loopback, in the same run.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/all.hpp>
#include <caf/scoped_actor.hpp>

#include "app/certs.hpp"
#include "cluster/greeter.hpp"
#include "cluster/transport.hpp"
#include "messages/registry.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

struct figures {
  double p50, p99, mean;
};

figures summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v)
    sum += x;
  return {v[v.size() / 2], v[v.size() * 99 / 100], sum / static_cast<double>(v.size())};
}

figures tcp_ping_pong(int n, size_t bytes) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listener, 1);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
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
  auto tcp = tcp_ping_pong(n, 256);
  std::printf("remote typed request (CAF BASP, mutual TLS, loopback): p50 %.1f us, p99 %.1f us, mean %.1f us\n",
              caf_rtt.p50, caf_rtt.p99, caf_rtt.mean);
  std::printf("raw TCP ping-pong, 256 bytes (anchor):                  p50 %.1f us, p99 %.1f us, mean %.1f us\n",
              tcp.p50, tcp.p99, tcp.mean);
  std::printf("ratio (p50): %.1fx the raw round trip\n", caf_rtt.p50 / tcp.p50);
  self->send_exit(greeter, caf::exit_reason::user_shutdown);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
  std::filesystem::remove_all(dir);
  return 0;
}
