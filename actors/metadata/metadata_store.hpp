#pragma once
#include <string>

#include "messages/directory.hpp"
#include "messages/metadata_actor.hpp"
#include "runtime/record_log.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the store on a thread of its own (RocksDB calls block). It opens
/// the database in `data_dir`/db as it starts; when that fails it quits, and
/// a ping answers with the reason. A deleted video's files go through the
/// media store it finds in the directory. Its records follow the log
/// `open_log` opens (a cluster's, in etcd), or are its own when empty.
metadata_actor spawn_metadata_store(caf::actor_system& sys, const std::string& data_dir,
                                    directory_actor directory, record_log_factory open_log = {});
}
