#pragma once
// Token gates at the edge: reading them from JSON, and deciding whether a
// wallet passes one (each rule asked of the nft_verifier).
#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "gateway/context.hpp"
#include "messages/gate.hpp"

namespace sg {

std::optional<gate_rule> parse_gate_rule(const nlohmann::json& j, std::string* why);
/// A gate object, or null for "no gate".
std::optional<gate> parse_gate(const nlohmann::json& j, std::string* why);

/// True when `address` passes `g`; errc::unavailable when no RPC answered.
caf::expected<bool> passes(const gateway_context& ctx, const gate& g, const std::string& address);

}  // namespace sg
