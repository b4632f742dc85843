#pragma once
// Uploads and a full disk: below --min-free-bytes new bytes are refused (507),
// so what was acknowledged, and the database, always have room; reads go on.
#include <optional>
#include <system_error>

#include <caf/error.hpp>

#include "runtime/config.hpp"

namespace sg {

/// The refusal when the data directory's file system is below the floor.
std::optional<caf::error> check_free_space(const upload_settings& s);

/// The error for a failed write: 507 when the disk (or a disk quota) is
/// full, 500 otherwise.
caf::error write_failure(const std::system_error& e);

}  // namespace sg
