#include "runtime/storage.hpp"

#include <sys/statvfs.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <rocksdb/env.h>

#include "runtime/log.hpp"

namespace sg {

namespace {

// RocksDB's own log goes into ours (warnings and worse), not into a LOG file
// in the data directory: when the disk fills, a failed append there made the
// next log line abort the process (WritableFileWriter's assertion, kept on in
// Debian's build).
class rocksdb_log final : public rocksdb::Logger {
public:
  rocksdb_log() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel())
      return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    log::write(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? log::level::error : log::level::warn,
               "rocksdb", line);
  }
};

}  // namespace

const char* record_column_name(column c) {
  switch (c) {
    case column::videos: return "videos";
    case column::uploads: return "uploads";
    case column::jobs: return "jobs";
    case column::auth: return "auth";
    case column::ops: return "ops";
    case column::catalogue: return "catalogue";
    case column::analytics: return "analytics";
    default: return nullptr;
  }
}

std::optional<column> record_column_named(const std::string& name) {
  for (auto c : record_columns)
    if (name == record_column_name(c))
      return c;
  return std::nullopt;
}

database::database(const std::string& dir) : dir_(dir) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.IncreaseParallelism(2);
  // Metadata is small; a small memtable keeps the WAL's preallocated extent
  // (1.1 x this) well inside the write reserve.
  opts.write_buffer_size = 8 << 20;
  opts.info_log = std::make_shared<rocksdb_log>();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{
    {rocksdb::kDefaultColumnFamilyName, {}}, {"videos", {}}, {"uploads", {}},
    {"jobs", {}}, {"search", {}}, {"auth", {}}, {"usage", {}}, {"sync", {}}, {"ops", {}}, {"catalogue", {}}, {"analytics", {}}};
  auto st = rocksdb::DB::Open(opts, dir, cfs, &handles_, &db_);
  if (!st.ok())
    throw std::runtime_error("cannot open RocksDB at " + dir + ": " + st.ToString());
}

database::~database() {
  // The Debian build asserts when handles outlive the DB, so they go first.
  // No FlushWAL(true) here: every write was synced already, and after a
  // write that met a full disk, syncing that WAL again trips a RocksDB
  // assertion (WritableFileWriter: sync_without_flush_called_).
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  db_->Close();
  delete db_;
}

void database::write(rocksdb::WriteBatch& batch) {
  auto free = free_bytes(dir_);
  if (free < write_reserve)
    throw storage_failure("the disk is full: " + std::to_string(free) + " bytes free", true);
  if (needs_resume_) {
    auto resumed = db_->Resume();
    if (!resumed.ok())
      throw storage_failure("RocksDB resume: " + resumed.ToString(), resumed.IsNoSpace());
    needs_resume_ = false;
  }
  auto st = db_->Write(durable_writes(), &batch);
  if (!st.ok()) {
    needs_resume_ = true;
    throw storage_failure("RocksDB write: " + st.ToString(), st.IsNoSpace());
  }
}

uint64_t free_bytes(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0)
    return UINT64_MAX;  // unknown: do not refuse for it
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

std::optional<std::string> database::get(column c, const std::string& key) {
  std::string raw;
  auto st = db_->Get(rocksdb::ReadOptions{}, cf(c), key, &raw);
  if (st.IsNotFound())
    return std::nullopt;
  if (!st.ok())
    throw storage_failure("RocksDB get: " + st.ToString(), false);
  return raw;
}

rocksdb::WriteOptions durable_writes() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

}  // namespace sg
