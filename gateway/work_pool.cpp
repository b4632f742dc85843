#include "gateway/work_pool.hpp"

namespace sg {

work_pool::work_pool(size_t threads) {
  workers_.resize(threads);
  threads_.reserve(threads);
  for (auto& w : workers_)
    threads_.emplace_back([this, &w] { run(w); });
}

work_pool::~work_pool() {
  stop();
}

void work_pool::post(std::function<void()> task) {
  worker* wake = nullptr;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    tasks_.push_back(std::move(task));
    if (!idle_.empty()) {
      wake = idle_.back();
      idle_.pop_back();
      wake->woken = true;
    }
  }
  if (wake != nullptr)
    wake->wake.notify_one();
}

void work_pool::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
    for (auto* w : idle_)
      w->woken = true;
    idle_.clear();
  }
  for (auto& w : workers_)
    w.wake.notify_one();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
}

void work_pool::run(worker& self) {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    if (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    if (stopping_)
      return;
    self.woken = false;
    idle_.push_back(&self);
    self.wake.wait(lock, [&] { return self.woken; });
  }
}

}  // namespace sg
