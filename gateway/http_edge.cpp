// The edge's listener and loops: an acceptor on a thread of its own hands
// connections round-robin to the event loops (one thread each); handlers run
// on the work pool. Accepting on a serving loop was measured to starve: a
// burst of 1000 connects waited up to 2 s behind the requests of the
// connections already accepted.
// docs/architecture.md §HTTP edge.
#include <sys/resource.h>

#include <future>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/edge.hpp"
#include "gateway/edge_connection.hpp"
#include "gateway/work_pool.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace sg {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Every open connection is a descriptor: take what the hard limit allows.
int raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 1 << 20));
}

metrics::counter& refused_connections(const char* reason) {
  return metrics::global().get_counter("streamgate_http_connections_refused_total",
                                       "Connections answered 503 at once: over the total or per-address cap",
                                       {{"reason", reason}});
}

}  // namespace

// ---- admission

const char* connection_registry::admit(const std::string& ip) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (admitted_ >= max_total_)
    return "total";
  auto& n = per_ip_[ip];
  if (n >= max_per_ip_) {
    if (n == 0)
      per_ip_.erase(ip);
    return "per_ip";
  }
  ++n;
  ++admitted_;
  return nullptr;
}

void connection_registry::release(const std::string& ip) {
  std::lock_guard<std::mutex> guard{mtx_};
  --admitted_;
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second <= 0)
    per_ip_.erase(it);
}

void connection_registry::enter(edge_connection* c, std::weak_ptr<edge_connection> w) {
  std::lock_guard<std::mutex> guard{mtx_};
  live_.emplace(c, std::move(w));
}

void connection_registry::leave(edge_connection* c) {
  std::lock_guard<std::mutex> guard{mtx_};
  live_.erase(c);
}

std::vector<std::shared_ptr<edge_connection>> connection_registry::live() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<std::shared_ptr<edge_connection>> out;
  for (const auto& [_, w] : live_)
    if (auto c = w.lock())
      out.push_back(std::move(c));
  return out;
}

size_t connection_registry::open() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return live_.size();
}

struct http_edge::impl {
  explicit impl(const edge_settings& s)
    : registry(s.max_connections, s.max_connections_per_ip),
      pool(static_cast<size_t>(std::max(1, s.handler_threads))) {
    shared.settings = s;
    shared.pool = &pool;
    shared.registry = &registry;
    auto n = s.loops > 0 ? s.loops : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) {
      loops.push_back(std::make_unique<net::io_context>(1));
      guards.push_back(net::make_work_guard(*loops.back()));
      sweeps.push_back(deadline_sweep::start(*loops.back()));
    }
    backoff.emplace(accept_loop);
  }

  void accept() {
    auto k = next_loop++ % loops.size();
    acceptor->async_accept(*loops[k], [this, k](error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor->is_open())
        return;
      if (!ec) {
        admit(std::move(s), *sweeps[k]);
        accept_waiting();
        return accept();
      }
      if (ec) {
        // Out of descriptors, most likely: pause rather than spin.
        log::warn("gateway", "accept failed", {{"error", ec.message()}});
        backoff->expires_after(std::chrono::milliseconds(50));
        backoff->async_wait([this](error_code e) {
          if (!e)
            accept();
        });
        return;
      }
    });
  }

  // What else waits in the kernel's queue, at once.
  void accept_waiting() {
    for (int i = 0; i < 1024; ++i) {
      auto k = next_loop++ % loops.size();
      error_code ec;
      tcp::socket s = acceptor->accept(*loops[k], ec);
      if (ec)
        return;
      admit(std::move(s), *sweeps[k]);
    }
  }

  void admit(tcp::socket s, deadline_sweep& sweep) {
    error_code ec;
    auto ip = s.remote_endpoint(ec).address().to_string();
    if (ec)
      return;
    const char* refused = shared.draining ? "draining" : registry.admit(ip);
    auto exec = s.get_executor();
    if (refused != nullptr) {
      refused_connections(refused).inc();
      log::warn("gateway", "connection refused", {{"remote", ip}, {"reason", refused}});
    }
    net::post(exec, [this, s = std::move(s), ip, refused, &sweep]() mutable {
      if (refused == nullptr)
        start_connection(std::move(s), ip, shared, sweep, true);
      else
        start_connection(std::move(s), ip, shared, sweep, false, 503,
                         std::string("too many connections (") + refused + ")");
    });
  }

  edge_shared shared;
  connection_registry registry;
  work_pool pool;
  std::vector<std::unique_ptr<net::io_context>> loops;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::vector<std::shared_ptr<deadline_sweep>> sweeps;  // one per loop
  net::io_context accept_loop{1};
  std::thread accept_thread;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> backoff;  // pauses accepting when out of descriptors
  std::vector<std::thread> threads;
  size_t next_loop = 0;
  int port = 0;
  bool stopped = false;
};

http_edge::http_edge(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

http_edge::~http_edge() {
  stop();
}

int http_edge::port() const {
  return impl_->port;
}

std::unique_ptr<http_edge> http_edge::listen(const edge_settings& settings, std::shared_ptr<edge_app> app,
                                             std::string& error) {
  auto s = settings;
  // Leave room for files, RocksDB and the cluster's sockets.
  s.max_connections = std::min(s.max_connections, std::max(64, raise_descriptor_limit() - 512));
  auto p = std::make_unique<impl>(s);
  p->shared.app = std::move(app);
  error_code ec;
  tcp::resolver resolver{p->accept_loop};
  auto found = resolver.resolve(s.host, std::to_string(s.port), tcp::resolver::passive, ec);
  if (ec || found.empty()) {
    error = "cannot resolve " + s.host + ": " + ec.message();
    return nullptr;
  }
  tcp::endpoint where = found.begin()->endpoint();
  p->acceptor = std::make_unique<tcp::acceptor>(p->accept_loop);
  p->acceptor->open(where.protocol(), ec);
  if (!ec)
    p->acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec)
    p->acceptor->bind(where, ec);
  if (!ec)
    p->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (!ec)
    p->acceptor->non_blocking(true, ec);  // accept_waiting() empties the queue
  if (ec) {
    error = "cannot listen on " + s.host + ":" + std::to_string(s.port) + ": " + ec.message();
    return nullptr;
  }
  p->port = p->acceptor->local_endpoint().port();
  for (auto& loop : p->loops)
    p->threads.emplace_back([l = loop.get()] { l->run(); });
  p->accept();
  p->accept_thread = std::thread([a = &p->accept_loop] { a->run(); });
  return std::unique_ptr<http_edge>(new http_edge(std::move(p)));
}

void http_edge::stop() {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.stopped = true;
  p.shared.draining = true;
  std::promise<void> closed;
  net::post(p.accept_loop, [&p, &closed] {
    error_code ec;
    p.acceptor->close(ec);
    p.backoff->cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  p.accept_thread.join();
  // Requests in flight finish (the pool runs until they have); a connection
  // waiting for its next request closes now.
  for (auto& c : p.registry.live())
    drain_connection(c);
  while (p.registry.open() > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  p.pool.stop();
  p.guards.clear();
  for (auto& loop : p.loops)
    loop->stop();
  for (auto& t : p.threads)
    t.join();
  log::info("gateway", "http server stopped");
}

}  // namespace sg
