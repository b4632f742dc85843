#pragma once
// The cluster's records in etcd (docs/architecture.md §Records): the source
// of truth every node writes through with optimistic transactions, followed
// by each node's local index with a watch from the revision it last applied.
#include <memory>
#include <string>
#include <vector>

#include "cluster/etcd.hpp"
#include "runtime/record_log.hpp"

namespace sg::cluster {

struct records_settings {
  std::vector<std::string> etcd;
  etcd::tls_files tls;
  std::string prefix;  // "/streamgate/<cluster>/records/"
  std::string members_prefix;  // "/streamgate/<cluster>/members/": a member's key lives with its lease
  std::string origin;  // names the log in the index: a different one means resync
};

/// Brings `index` up to date (resuming from its revision, or a full copy
/// when it follows another log, never did, or its history was compacted),
/// then follows the log in a thread of its own until the log is destroyed.
/// Throws std::runtime_error when etcd does not answer, or when the index
/// holds a single node's records (a cluster would drop them).
std::unique_ptr<record_log> open_etcd_records(const records_settings& settings, record_sink& index);

}  // namespace sg::cluster
