#include "cluster/shared_settings.hpp"

namespace sg::cluster {

std::string shared_value(etcd::client& etcd, const std::string& key, const std::string& candidate) {
  if (etcd.create(key, candidate))
    return candidate;
  auto found = etcd.get(key);
  if (found.kvs.empty() || found.kvs.front().value.empty())
    throw etcd::error{"the cluster setting " + key + " exists but cannot be read"};
  return found.kvs.front().value;
}

}  // namespace sg::cluster
