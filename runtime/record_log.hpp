#pragma once
// Where the catalog's records are written (docs/architecture.md §Records).
// A single node writes them straight into its RocksDB; a cluster member
// writes them to etcd, the source of truth, and its RocksDB becomes a local
// index fed by a watch. Either way the catalog sees one interface, and the
// derived data (search postings, quota sums) is computed only where records
// are applied to RocksDB (the record_sink).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/storage.hpp"

namespace sg {

/// The log cannot be reached now (a cluster's etcd): try again later.
struct log_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One write to a record: a put, or an erase when `value` is empty.
struct record_write {
  column table;
  std::string key;
  std::optional<std::string> value;
};

/// How far a local index has followed its log: the log's name ("" for a
/// single node's own records) and the revision last applied (0: none).
struct sync_point {
  std::string origin;
  int64_t revision = 0;
};

/// The local index: applies committed writes to RocksDB with what derives
/// from them. Safe to call from one thread while the catalog reads.
class record_sink {
public:
  virtual ~record_sink() = default;
  virtual sync_point position() = 0;
  /// Whether any record is stored (a single node's data must not be dropped).
  virtual bool holds_records() = 0;
  /// Applies the writes, and moves the position to `revision` when it is > 0,
  /// in one atomic write.
  virtual void apply(const std::vector<record_write>& writes, int64_t revision) = 0;
  /// Forgets every record and starts following `origin` from revision 0.
  virtual void reset(const std::string& origin) = 0;
  /// Deletes every record not in `keep` (with what derives from it) and
  /// moves the position to `revision`: the end of a copy over what is held.
  virtual void keep_only(const std::set<std::pair<column, std::string>>& keep, int64_t revision) = 0;
};

/// Optimistic transactions over the records: begin(), read what the write
/// depends on, then commit() the writes, which fails when something read
/// changed meanwhile (run the transaction again).
class record_log {
public:
  virtual ~record_log() = default;
  virtual void begin() = 0;
  /// A record as the authority holds it now.
  virtual std::optional<std::string> read(column table, const std::string& key) = 0;
  /// Whether the cluster member with this id holds a lease now, read like a
  /// record (the commit fails if that changes); a single node has none.
  virtual bool member_alive(const std::string& member_id) = 0;
  /// True once applied: the local index shows the writes when it returns.
  virtual bool commit(const std::vector<record_write>& writes) = 0;
};

/// Makes the log a store writes through, given its local index; throws
/// std::runtime_error when the log cannot be opened.
using record_log_factory = std::function<std::unique_ptr<record_log>(record_sink&)>;

/// A single node's log: reads and writes go straight to the index.
std::unique_ptr<record_log> local_record_log(database& db, record_sink& sink);

}  // namespace sg
