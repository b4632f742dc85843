#pragma once
// A fixed set of threads taking tasks in order: where the edge's handlers run
// (they may block on an actor's answer or on a body still arriving).
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sg {

class work_pool {
public:
  explicit work_pool(size_t threads);
  ~work_pool();
  work_pool(const work_pool&) = delete;
  work_pool& operator=(const work_pool&) = delete;

  void post(std::function<void()> task);
  /// Runs what was posted, then joins the threads.
  void stop();

private:
  void run();

  std::mutex mtx_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sg
