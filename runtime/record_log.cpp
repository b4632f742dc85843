#include "runtime/record_log.hpp"

namespace sg {

namespace {

// One writer (the metadata store's thread) and no one else: nothing read can
// change before the commit, so every commit succeeds.
class local_log final : public record_log {
public:
  local_log(database& db, record_sink& sink) : db_(db), sink_(sink) {}

  void begin() override {}

  std::optional<std::string> read(column table, const std::string& key) override {
    return db_.get(table, key);
  }

  bool member_alive(const std::string&) override { return false; }

  bool commit(const std::vector<record_write>& writes) override {
    sink_.apply(writes, 0);
    return true;
  }

private:
  database& db_;
  record_sink& sink_;
};

}  // namespace

std::unique_ptr<record_log> local_record_log(database& db, record_sink& sink) {
  return std::make_unique<local_log>(db, sink);
}

}  // namespace sg
