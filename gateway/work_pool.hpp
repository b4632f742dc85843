#pragma once
// A fixed set of threads taking tasks in order: where the edge's handlers run
// (they may block on an actor's answer or on a body still arriving). The
// thread that went idle last takes the next task: under light load a few
// warm threads do the work, and the allocator's per-thread arenas of the
// others stay small (a FIFO wake-up spread one upload's 1 MiB chunks over
// all 16 threads' arenas: 27 MiB of resident growth instead of 4).
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
  struct worker {
    std::condition_variable wake;
    bool woken = false;
  };
  void run(worker& self);

  std::mutex mtx_;
  std::deque<std::function<void()>> tasks_;
  std::vector<worker*> idle_;  // the last one idled is woken first
  bool stopping_ = false;
  std::deque<worker> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace sg
