#include "runtime/storage.hpp"

#include <sys/statvfs.h>

#include <filesystem>
#include <stdexcept>

namespace sg {

void data_paths::create() const {
  std::filesystem::create_directories(uploads_dir());
  std::filesystem::create_directories(media_dir());
  std::filesystem::create_directories(db_dir());
}

database::database(const std::string& dir) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.IncreaseParallelism(2);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs{
    {rocksdb::kDefaultColumnFamilyName, {}}, {"videos", {}}, {"uploads", {}},
    {"jobs", {}}, {"search", {}}, {"auth", {}}, {"usage", {}}};
  auto st = rocksdb::DB::Open(opts, dir, cfs, &handles_, &db_);
  if (!st.ok())
    throw std::runtime_error("cannot open RocksDB at " + dir + ": " + st.ToString());
}

database::~database() {
  // The Debian build asserts when handles outlive the DB, so they go first.
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  db_->FlushWAL(true);
  db_->Close();
  delete db_;
}

uint64_t free_bytes(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0)
    return UINT64_MAX;  // unknown: do not refuse for it
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

rocksdb::WriteOptions durable_writes() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

}  // namespace sg
