#pragma once
// A real single-member etcd on loopback for the tests that talk to one
// (apt etcd-server; `make test` installs it). Started in a fresh data
// directory on free ports, killed and wiped with the object.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace sg::testing {

/// `n` distinct free loopback ports. Each socket stays bound until all are
/// picked: closed one by one, two picks could name the same port.
inline std::vector<int> free_ports(size_t n) {
  std::vector<int> fds, ports;
  for (size_t i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds)
    ::close(fd);
  return ports;
}

inline int free_port() {
  return free_ports(1)[0];
}

/// TLS for the client port: the server's certificate and key, and the CA
/// whose client certificates it demands.
struct etcd_tls {
  std::string cert, key, client_ca;
};

inline bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return open;
}

class etcd_process {
public:
  explicit etcd_process(const etcd_tls& tls = {}) {
    char tmpl[] = "/tmp/sg-etcd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    // Another process may take a free port before etcd binds it; etcd then
    // exits at once, and new ports are tried.
    for (int attempt = 0; attempt < 3; ++attempt)
      if (start(tls))
        return;
    stop();
    throw std::runtime_error("etcd did not start (is etcd-server installed?)");
  }
  ~etcd_process() { stop(); }
  const std::string& url() const { return url_; }

private:
  // Whether etcd came up; false (and the process gone) when it did not.
  bool start(const etcd_tls& tls) {
    auto ports = free_ports(2);
    int client_port = ports[0];
    url_ = (tls.cert.empty() ? "http://" : "https://") + std::string{"127.0.0.1:"} + std::to_string(client_port);
    auto peer = "http://127.0.0.1:" + std::to_string(ports[1]);
    std::vector<std::string> args{"etcd", "--name", "t", "--data-dir", dir_ + "/data",
      "--listen-client-urls", url_, "--advertise-client-urls", url_,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", "t=" + peer, "--log-level", "error", "--logger", "zap"};
    if (!tls.cert.empty())
      args.insert(args.end(), {"--cert-file", tls.cert, "--key-file", tls.key, "--client-cert-auth",
                               "--trusted-ca-file", tls.client_ca});
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("etcd", argv.data());
      ::_exit(127);
    }
    // Ready once /health says a leader is elected; a TLS port refuses that
    // probe without a client certificate, so there the port taking
    // connections (and a moment for the election) has to do.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    httplib::Client probe{url_};
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      if (tls.cert.empty()) {
        if (auto res = probe.Get("/health"); res && res->status == 200 && res->body.find("true") != std::string::npos)
          return true;
      } else if (port_open(client_port)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill_etcd();
    std::error_code ignored;
    std::filesystem::remove_all(dir_ + "/data", ignored);
    return false;
  }

  void kill_etcd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  void stop() {
    kill_etcd();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir_, url_;
  pid_t pid_ = -1;
};

}  // namespace sg::testing
