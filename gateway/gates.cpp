#include "gateway/gates.hpp"

#include "messages/limits.hpp"

#include <nlohmann/json.hpp>


namespace sg {

namespace {
bool is_address(const std::string& s) {
  return s.size() == 42 && s.compare(0, 2, "0x") == 0 &&
         s.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
}
}  // namespace

std::optional<gate_rule> parse_gate_rule(const nlohmann::json& j, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<gate_rule> {
    *why = reason;
    return std::nullopt;
  };
  if (!j.is_object())
    return fail("a gate rule must be an object");
  gate_rule r;
  for (const auto& [key, value] : j.items()) {
    if (key == "chain_id" && value.is_number_unsigned()) {
      r.chain_id = value.get<uint64_t>();
    } else if (key == "contract" && value.is_string() && is_address(value.get<std::string>())) {
      r.contract = value.get<std::string>();
    } else if (key == "standard" && value.is_string() &&
               parse_state<token_standard>(value.get_ref<const std::string&>())) {
      r.standard = *parse_state<token_standard>(value.get_ref<const std::string&>());
    } else if (key == "token_id" && value.is_string() && !value.get_ref<const std::string&>().empty() &&
               value.get_ref<const std::string&>().size() <= 78 &&
               value.get_ref<const std::string&>().find_first_not_of("0123456789") == std::string::npos) {
      r.token_id = value.get<std::string>();
    } else if (key == "token_id" && value.is_number_unsigned()) {
      r.token_id = std::to_string(value.get<uint64_t>());
    } else if (key == "min_balance" && value.is_number_unsigned() && value.get<uint64_t>() >= 1) {
      r.min_balance = value.get<uint64_t>();
    } else {
      *why = "gate rule field '" + key + "' is unknown or invalid";
      return std::nullopt;
    }
  }
  if (r.chain_id == 0 || r.contract.empty())
    return fail("a gate rule needs chain_id and contract");
  if (r.standard == token_standard::erc1155 && r.token_id.empty())
    return fail("an erc1155 rule needs token_id");
  return r;
}

std::optional<gate> parse_gate(const nlohmann::json& j, std::string* why) {
  gate g;
  if (j.is_null())
    return g;
  if (!j.is_object() || !j.contains("rules") || !j["rules"].is_array()) {
    *why = "gate must be null or {mode, rules: [...]}";
    return std::nullopt;
  }
  if (j.contains("mode") && !j["mode"].is_string()) {
    *why = "gate mode must be the string any or all";
    return std::nullopt;
  }
  auto mode = parse_state<gate_mode>(j.value("mode", "any"));
  if (!mode) {
    *why = "gate mode must be any or all";
    return std::nullopt;
  }
  g.mode = *mode;
  if (j["rules"].empty() || j["rules"].size() > limits::gate_rules) {
    *why = "a gate has 1 to 16 rules";
    return std::nullopt;
  }
  for (const auto& rule : j["rules"]) {
    auto r = parse_gate_rule(rule, why);
    if (!r)
      return std::nullopt;
    g.rules.push_back(std::move(*r));
  }
  return g;
}


}  // namespace sg
