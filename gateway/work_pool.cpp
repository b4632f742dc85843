#include "gateway/work_pool.hpp"

namespace sg {

work_pool::work_pool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { run(); });
}

work_pool::~work_pool() {
  stop();
}

void work_pool::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void work_pool::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
}

void work_pool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock{mtx_};
      ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty())
        return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace sg
