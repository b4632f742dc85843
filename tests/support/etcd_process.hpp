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

inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
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
    int client_port = free_port(), peer_port = free_port();
    url_ = (tls.cert.empty() ? "http://" : "https://") + std::string{"127.0.0.1:"} + std::to_string(client_port);
    auto peer = "http://127.0.0.1:" + std::to_string(peer_port);
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
      if (tls.cert.empty()) {
        if (auto res = probe.Get("/health"); res && res->status == 200 && res->body.find("true") != std::string::npos)
          return;
      } else if (port_open(client_port)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop();
    throw std::runtime_error("etcd did not start (is etcd-server installed?)");
  }
  ~etcd_process() { stop(); }
  const std::string& url() const { return url_; }

private:
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir_, url_;
  pid_t pid_ = -1;
};

}  // namespace sg::testing
