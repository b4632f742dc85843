#pragma once
// The RocksDB handle (only the metadata store opens the database) and the
// free space of a disk. Media files are runtime/media_files.hpp's.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace sg {

/// Records (videos, uploads, jobs, auth, ops) and what the local index derives
/// from them (search, usage) or needs to follow its log (sync).
enum class column { videos, uploads, jobs, search, auth, usage, sync, ops, catalogue, analytics };

/// The records' column names ("videos", ...): their keys in etcd start with
/// it. Nothing for a derived column.
const char* record_column_name(column c);
std::optional<column> record_column_named(const std::string& name);
constexpr column record_columns[] = {column::videos, column::uploads, column::jobs,
                                     column::auth,   column::ops,     column::catalogue,
                                     column::analytics};

/// A failed read or write of the database; `no_space` when the disk is full
/// (the write can succeed once space returns).
struct storage_failure : std::runtime_error {
  storage_failure(const std::string& what, bool no_space) : std::runtime_error(what), no_space(no_space) {}
  bool no_space;
};

/// Bytes an unprivileged writer may still use on the file system of `path`.
uint64_t free_bytes(const std::string& path);

class database {
public:
  /// Opens (creating when missing) with every column family; throws on failure.
  explicit database(const std::string& dir);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  rocksdb::DB& db() { return *db_; }
  /// A value, nothing when absent; throws storage_failure when the read fails.
  std::optional<std::string> get(column c, const std::string& key);
  rocksdb::ColumnFamilyHandle* cf(column c) { return handles_[static_cast<size_t>(c) + 1]; }

  /// Applies the batch durably, or throws storage_failure (no_space below
  /// the reserve). RocksDB never gets to meet a full disk: the Debian build
  /// of 7.8 keeps assertions on and aborts the process on the next use of a
  /// WAL writer whose append failed (facebook/rocksdb#12448). After a failed
  /// write RocksDB refuses writes until resumed; the next write resumes it
  /// once there is room again, so the node recovers without a restart.
  void write(rocksdb::WriteBatch& batch);

  /// Free space the database keeps for itself: writes below it get no_space.
  static constexpr uint64_t write_reserve = uint64_t{16} << 20;

private:
  std::string dir_;
  bool needs_resume_ = false;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // [0] is "default"
};

/// Writes that must survive power loss (sync=true); the WAL alone survives a crash.
rocksdb::WriteOptions durable_writes();

}  // namespace sg
