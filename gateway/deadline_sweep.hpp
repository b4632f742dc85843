#pragma once
// The deadlines of one loop's connections, checked every 100 ms: a timer per
// connection phase cost two timerfd calls per request (measured with strace),
// a sweep costs none. docs/architecture.md §HTTP edge.
#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sg {

/// A deadline between three quarters and all of `d`, drawn per connection:
/// connections opened together (an attacker's batch) then time out over a
/// spread instead of in one sweep, and do not come back as one burst either.
inline std::chrono::milliseconds spread(std::chrono::milliseconds d) {
  thread_local std::minstd_rand draw{std::random_device{}()};
  return d - d * static_cast<long>(draw() % 256) / 1024;
}

class has_deadline {
public:
  virtual ~has_deadline() = default;
  /// On the loop's thread: acts if its deadline has passed.
  virtual void expire_if_due(std::chrono::steady_clock::time_point now) = 0;
};

class deadline_sweep : public std::enable_shared_from_this<deadline_sweep> {
public:
  static std::shared_ptr<deadline_sweep> start(boost::asio::io_context& loop) {
    auto s = std::make_shared<deadline_sweep>(loop);
    boost::asio::post(loop, [s] { s->tick(); });
    return s;
  }
  explicit deadline_sweep(boost::asio::io_context& loop) : timer_(loop) {}

  /// On the loop's thread; one that is gone drops out at the next sweep.
  void watch(std::weak_ptr<has_deadline> c) { watched_.push_back(std::move(c)); }

private:
  void tick() {
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec)
        return;
      auto now = std::chrono::steady_clock::now();
      auto& w = self->watched_;
      for (size_t i = 0; i < w.size();) {
        if (auto c = w[i].lock()) {
          c->expire_if_due(now);
          ++i;
        } else {
          w[i] = std::move(w.back());
          w.pop_back();
        }
      }
      self->tick();
    });
  }

  boost::asio::steady_timer timer_;
  std::vector<std::weak_ptr<has_deadline>> watched_;
};

}  // namespace sg
