#pragma once
// Token gates: who may watch a video. A gate comes only from the stored
// video, never from request parameters.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/states.hpp"

namespace sg {

struct gate_rule {
  uint64_t chain_id = 0;
  std::string contract;          // 0x address
  token_standard standard = token_standard::detect;
  std::string token_id;          // decimal; empty: any token of the contract (ERC-721)
  uint64_t min_balance = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gate_rule& x) {
  return f(caf::meta::type_name("gate_rule"), x.chain_id, x.contract, x.standard, x.token_id,
           x.min_balance);
}

struct gate {
  gate_mode mode = gate_mode::any;
  std::vector<gate_rule> rules;  // none: the video is not gated
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gate& x) {
  return f(caf::meta::type_name("gate"), x.mode, x.rules);
}

/// Does `owner` hold what `rule` asks for?
struct holding_check {
  gate_rule rule;
  std::string owner;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, holding_check& x) {
  return f(caf::meta::type_name("holding_check"), x.rule, x.owner);
}

}  // namespace sg
