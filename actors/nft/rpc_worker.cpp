#include "actors/nft/rpc_worker.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "actors/nft/abi.hpp"
#include "runtime/json.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

using json = nlohmann::json;

// One eth_call, failing over along the endpoints. A JSON-RPC error (a revert)
// is an answer; only a transport failure moves on to the next endpoint.
struct caller {
  std::vector<std::string> endpoints;
  int timeout_ms;
  rpc_outcome& out;

  // Returns the hex result, "" for a revert, nothing when nobody answered.
  std::optional<std::string> call(const std::string& to, const std::string& data) {
    return rpc("eth_call", {{{"to", to}, {"data", data}}, "latest"});
  }

  std::optional<std::string> rpc(const char* method, json params) {
    json body = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", std::move(params)}};
    while (!endpoints.empty()) {
      const auto url = endpoints.front();
      auto scheme_end = url.find("://");
      auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
      httplib::Client cli(url.substr(0, path_start));
      cli.set_connection_timeout(0, timeout_ms * 1000);
      cli.set_read_timeout(0, timeout_ms * 1000);
      cli.set_write_timeout(0, timeout_ms * 1000);
      auto path = path_start == std::string::npos ? "/" : url.substr(path_start);
      auto res = cli.Post(path.c_str(), body.dump(), "application/json");
      json reply = res && res->status == 200 ? parse_json(res->body).value_or(json()) : json();
      if (!reply.is_object() || (!reply.contains("result") && !reply.contains("error"))) {
        out.failed.push_back(url);
        endpoints.erase(endpoints.begin());
        continue;
      }
      out.answered = true;
      out.answered_by = url;
      if (reply.contains("error") || !reply["result"].is_string())
        return std::string{};
      return reply["result"].get<std::string>();
    }
    return std::nullopt;
  }
};

void check(caller& c, const holding_check& h, rpc_outcome& out) {
  const auto& r = h.rule;
  auto owner = abi::address_word(h.owner);
  if (!owner) {
    out.error = "the wallet is not an Ethereum address";
    return;
  }
  std::string token = std::string(64, '0');
  if (!r.token_id.empty()) {
    auto t = abi::uint256_hex(r.token_id);
    if (!t) {
      out.error = "token_id is not a decimal uint256";
      return;
    }
    token = *t;
  }
  out.standard = r.standard;
  if (out.standard == token_standard::detect) {
    auto is721 = c.call(r.contract, abi::supports_interface("80ac58cd"));
    if (!is721)
      return;
    if (abi::result_at_least(*is721, 1).value_or(false)) {
      out.standard = token_standard::erc721;
    } else {
      auto is1155 = c.call(r.contract, abi::supports_interface("d9b67a26"));
      if (!is1155)
        return;
      if (!abi::result_at_least(*is1155, 1).value_or(false)) {
        out.error = "the contract is neither ERC-721 nor ERC-1155";
        return;
      }
      out.standard = token_standard::erc1155;
    }
  }
  std::optional<std::string> result;
  if (out.standard == token_standard::erc721 && !r.token_id.empty()) {
    result = c.call(r.contract, abi::owner_of(token));
    if (result)
      out.holds = abi::result_address(*result) == "0x" + owner->substr(24);
  } else if (out.standard == token_standard::erc721) {
    result = c.call(r.contract, abi::balance_of(*owner));
    if (result)
      out.holds = abi::result_at_least(*result, r.min_balance).value_or(false);
  } else {
    result = c.call(r.contract, abi::balance_of(*owner, token));
    if (result)
      out.holds = abi::result_at_least(*result, r.min_balance).value_or(false);
  }
}

// EIP-1271: eth_getCode first (an account without code is no contract
// wallet), then isValidSignature(bytes32,bytes) must return 0x1626ba7e.
void check(caller& c, const contract_signature& cs, rpc_outcome& out) {
  auto code = c.rpc("eth_getCode", {cs.address, "latest"});
  if (!code)
    return;
  if (code->size() <= 2) {
    out.error = "the address has no contract code";
    return;
  }
  auto sig = cs.signature.substr(2);
  auto padded = sig + std::string((64 - sig.size() % 64) % 64, '0');
  auto length = abi::uint256_hex(std::to_string(sig.size() / 2));
  auto data = "0x1626ba7e" + cs.digest.substr(2) + *abi::uint256_hex("64") + *length + padded;
  auto result = c.call(cs.address, data);
  if (result)
    out.holds = result->rfind("0x1626ba7e", 0) == 0;
}

rpc_worker_actor::behavior_type worker(rpc_worker_actor::pointer self, int timeout_ms) {
  return {
    [self, timeout_ms](check_atom, const holding_check& h, const std::vector<std::string>& endpoints) {
      rpc_outcome out;
      caller c{endpoints, timeout_ms, out};
      check(c, h, out);
      self->quit();
      return out;
    },
    [self, timeout_ms](check_atom, const contract_signature& cs,
                       const std::vector<std::string>& endpoints) {
      rpc_outcome out;
      caller c{endpoints, timeout_ms, out};
      check(c, cs, out);
      self->quit();
      return out;
    },
  };
}

}  // namespace

rpc_worker_actor spawn_rpc_worker(caf::actor_system& sys, int timeout_ms) {
  return actor_stats::spawn<caf::detached>(sys, "rpc_worker", worker, timeout_ms);
}

}  // namespace sg
