#pragma once
// The HTTP edge's insides (gateway/edge.hpp): what its connections share,
// the admission caps, and the start of one connection.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/deadline_sweep.hpp"
#include "gateway/edge.hpp"

namespace sg {

class edge_connection;
class work_pool;

/// Counts open connections in total and per client address, refuses those
/// over the caps, and lists the live ones for a drain.
class connection_registry {
public:
  connection_registry(int max_total, int max_per_ip) : max_total_(max_total), max_per_ip_(max_per_ip) {}
  /// nullptr when admitted (and counted); else why not.
  const char* admit(const std::string& ip);
  void release(const std::string& ip);
  void enter(edge_connection* c, std::weak_ptr<edge_connection> w);
  void leave(edge_connection* c);
  std::vector<std::shared_ptr<edge_connection>> live() const;
  size_t open() const;

private:
  mutable std::mutex mtx_;
  int max_total_;
  int max_per_ip_;
  int admitted_ = 0;
  std::unordered_map<std::string, int> per_ip_;
  std::unordered_map<edge_connection*, std::weak_ptr<edge_connection>> live_;
};

struct edge_shared {
  edge_settings settings;
  std::shared_ptr<edge_app> app;
  work_pool* pool = nullptr;
  connection_registry* registry = nullptr;
  std::atomic<bool> draining{false};
};

/// On the socket's loop (whose sweep is `sweep`): serves `socket` until it
/// closes; with `refusal` set, answers that status (503: over a cap) and closes.
void start_connection(boost::asio::ip::tcp::socket socket, std::string ip, edge_shared& shared,
                      deadline_sweep& sweep, bool admitted, int refusal = 0, std::string why = {});
/// Closes the connection (on its loop) if it waits for a request.
void drain_connection(const std::shared_ptr<edge_connection>& c);

}  // namespace sg
