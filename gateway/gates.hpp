#pragma once
// Token gates at the edge: reading them from JSON. Whether a wallet passes
// one is the access service's question (check_atom, gate, viewer).
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "messages/gate.hpp"

namespace sg {

std::optional<gate_rule> parse_gate_rule(const nlohmann::json& j, std::string* why);
/// A gate object, or null for "no gate".
std::optional<gate> parse_gate(const nlohmann::json& j, std::string* why);


}  // namespace sg
