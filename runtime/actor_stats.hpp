#pragma once
// Mailbox depth and messages handled per named actor, for the shell's
// `actors` and for /metrics (streamgate_actor_*{actor}). CAF 0.17 as Debian
// builds it has no actor profiler, so a counted actor is the function-based
// actor CAF would spawn, with its enqueue and consume overridden to count.
// Actors of one name (the cache's shards, upload sessions) share the series:
// `instances` of them, their summed mailboxes. docs/architecture.md §Admin shell.
#include <atomic>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/infer_handle.hpp>
#include <caf/invoke_message_result.hpp>
#include <caf/mailbox_element.hpp>

#include "runtime/metrics.hpp"

namespace sg::actor_stats {

/// The series of the actors named `name` (created on first use, kept).
struct series {
  metrics::gauge& instances;
  metrics::gauge& mailbox;
  metrics::counter& handled;
};
series& series_for(const std::string& name);

/// Counts for one actor instance; what it leaves in its mailbox when it
/// terminates is taken off the shared gauge.
template <class Impl>
class counted : public Impl {
public:
  counted(caf::actor_config& cfg, series* s) : Impl(cfg), series_(s) {
    series_->instances.add(1);
    auto queued = queued_;
    auto exited = exited_;
    this->attach_functor([s, queued, exited] {
      exited->store(true);
      s->mailbox.add(-queued->exchange(0));
      s->instances.add(-1);
    });
  }

  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* host) override {
    if (!exited_->load()) {
      queued_->fetch_add(1);
      series_->mailbox.add(1);
    }
    Impl::enqueue(std::move(ptr), host);
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    auto result = Impl::consume(x);
    if (result != caf::invoke_message_result::skipped) {
      series_->handled.inc();
      if (queued_->load() > 0) {
        queued_->fetch_sub(1);
        series_->mailbox.add(-1);
      }
    }
    return result;
  }

private:
  series* series_;
  std::shared_ptr<std::atomic<int64_t>> queued_ = std::make_shared<std::atomic<int64_t>>(0);
  std::shared_ptr<std::atomic<bool>> exited_ = std::make_shared<std::atomic<bool>>(false);
};

/// `sys.spawn<Os>(fun, xs...)`, counted under `name`.
template <caf::spawn_options Os = caf::no_spawn_options, class F, class... Ts>
caf::infer_handle_from_fun_t<F> spawn(caf::actor_system& sys, const std::string& name, F fun,
                                      Ts&&... xs) {
  using impl = caf::infer_impl_from_fun_t<F>;
  caf::actor_config cfg;
  caf::detail::init_fun_factory<impl, F> factory;
  cfg.init_fun = factory(std::move(fun), std::forward<Ts>(xs)...);
  return sys.spawn_class<counted<impl>, Os>(cfg, &series_for(name));
}

}  // namespace sg::actor_stats
