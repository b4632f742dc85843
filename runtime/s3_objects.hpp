#pragma once
// The object store over S3 (runtime/s3.hpp): a small pool of clients, since
// one client keeps one connection and serves one thread at a time.
#include <memory>

#include "runtime/object_store.hpp"
#include "runtime/s3.hpp"

namespace sg {

std::shared_ptr<object_store> s3_object_store(s3::settings settings);

}  // namespace sg
