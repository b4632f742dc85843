#pragma once
#include <string>

namespace sg {
/// The node's HMAC secret: `configured` when set, else the one persisted in
/// `<data_dir>/secret` (created, 32 random bytes as hex, mode 0600).
std::string load_or_create_secret(const std::string& data_dir, const std::string& configured);
}
