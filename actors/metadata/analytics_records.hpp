#pragma once
// The analytics rows (analytics_store_actor) on the record log: each one a
// video's or an owner's figures of one hour, merged into by every node that
// saw views (in etcd on a cluster), and the daily salts of viewer hashes.
// docs/architecture.md §Analytics.
#include <string>
#include <vector>

#include <caf/make_message.hpp>  // caf/result.hpp uses it without including it
#include <caf/result.hpp>

#include "actors/metadata/catalog.hpp"
#include "messages/analytics.hpp"

namespace sg::analytics_records {

caf::result<caf::ok_atom> merge_rows(catalog& db, const std::vector<view_stats_row>& rows);
caf::result<std::vector<view_stats_row>> rows_between(catalog& db, const std::string& from, const std::string& to);
caf::result<std::string> salt_of(catalog& db, const std::string& day);
/// Deletes up to `limit` rows of hours before `before_ms` (never a salt).
caf::result<uint64_t> prune_rows(catalog& db, int64_t before_ms, uint32_t limit);

}  // namespace sg::analytics_records
