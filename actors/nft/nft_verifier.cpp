#include "actors/nft/nft_verifier.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/nft/rpc_worker.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/promises.hpp"

namespace sg {

namespace {

struct endpoint {
  std::string url;
  int failures = 0;          // consecutive
  int64_t open_until_ms = 0;  // circuit open (skipped) until then; then half-open
};

struct verifier_state {
  nft_settings settings;
  std::map<uint64_t, std::vector<endpoint>> chains;
  std::vector<cache_shard_actor> cache;  // results live in the cache shards
  std::map<std::string, token_standard> standards;  // chain|contract -> erc721 / erc1155
  std::map<std::string, std::vector<caf::typed_response_promise<bool>>> in_flight;
  static inline const char* name = "nft_verifier";
};

using verifier_ptr = nft_actor::stateful_pointer<verifier_state>;

metrics::counter& count(const char* what) {
  return metrics::global().get_counter("streamgate_nft_checks_total", "NFT ownership checks",
                                       {{"result", what}});
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string key_of(const holding_check& h) {
  const auto& r = h.rule;
  return std::to_string(r.chain_id) + "|" + lower(r.contract) + "|" + to_string(r.standard) + "|" + r.token_id +
         "|" + std::to_string(r.min_balance) + "|" + lower(h.owner);
}

// Endpoints to try, in order: closed circuits, and open ones whose time is up
// (half-open: one more try decides).
std::vector<std::string> usable(std::vector<endpoint>& eps, int64_t now) {
  std::vector<std::string> out;
  for (const auto& e : eps)
    if (e.open_until_ms <= now)
      out.push_back(e.url);
  return out;
}

void record(verifier_state& st, uint64_t chain, const rpc_outcome& out) {
  auto now = now_ms();
  for (auto& e : st.chains[chain]) {
    if (e.url == out.answered_by) {
      e.failures = 0;
      e.open_until_ms = 0;
    } else if (std::find(out.failed.begin(), out.failed.end(), e.url) != out.failed.end()) {
      if (++e.failures >= st.settings.breaker_failures || e.open_until_ms > 0) {
        e.open_until_ms = now + st.settings.breaker_open_s * 1000LL;
        log::warn("nft", "RPC endpoint circuit open", {{"chain_id", chain}, {"failures", e.failures}});
      }
    }
  }
}

void settle(verifier_ptr self, const std::string& key, caf::expected<bool> result) {
  auto& st = self->state;
  auto waiting = std::move(st.in_flight[key]);
  st.in_flight.erase(key);
  deliver_all(waiting, result);
}

void ask_chain(verifier_ptr self, const holding_check& h, const std::string& key,
               const std::string& std_key);
caf::result<bool> check_contract_signature(verifier_ptr self, const contract_signature& cs);

nft_actor::behavior_type verifier(verifier_ptr self, nft_settings settings,
                                  std::vector<cache_shard_actor> cache) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.cache = std::move(cache);
  for (const auto& [id, urls] : st.settings.chains)
    for (const auto& u : urls)
      st.chains[id].push_back(endpoint{u});
  return {
    [self](check_atom, holding_check h) -> caf::result<bool> {
      auto& st = self->state;
      auto chain = st.chains.find(h.rule.chain_id);
      if (chain == st.chains.end())
        return make_error(errc::bad_request, "the gate names a chain this server has no RPC for");
      auto std_key = std::to_string(h.rule.chain_id) + "|" + lower(h.rule.contract);
      if (h.rule.standard == token_standard::detect)
        if (auto known = st.standards.find(std_key); known != st.standards.end())
          h.rule.standard = known->second;  // ERC-165 answers are cached per contract
      auto key = key_of(h);
      auto rp = self->make_response_promise<bool>();
      auto& waiting = st.in_flight[key];
      waiting.push_back(rp);
      if (waiting.size() > 1) {
        count("shared").inc();
        return rp;  // an identical check is on its way: share its answer
      }
      if (st.cache.empty()) {
        ask_chain(self, h, key, std_key);
        return rp;
      }
      auto shard = st.cache[shard_index("nft|" + key, st.cache.size())];
      self->request(shard, std::chrono::seconds(2), caf::get_atom::value, "nft|" + key)
        .then(
          [self, h, key, std_key](const cache_lookup& hit) {
            if (!hit.found)
              return ask_chain(self, h, key, std_key);
            count("cached").inc();
            settle(self, key, !hit.value.empty() && hit.value[0] == '1');
          },
          [self, h, key, std_key](const caf::error&) { ask_chain(self, h, key, std_key); });
      return rp;
    },
    [self](check_atom, const contract_signature& cs) { return check_contract_signature(self, cs); },
  };
}

// Not cached: each sign-in signs a fresh nonce.
caf::result<bool> check_contract_signature(verifier_ptr self, const contract_signature& cs) {
  auto& st = self->state;
  auto chain = st.chains.find(cs.chain_id);
  if (chain == st.chains.end())
    return false;  // no RPC for the chain: it cannot be a contract wallet we can ask
  auto endpoints = usable(chain->second, now_ms());
  if (endpoints.empty())
    return make_error(errc::unavailable, "no RPC endpoint of the chain is available");
  auto rp = self->make_response_promise<bool>();
  auto worker = spawn_rpc_worker(self->system(), st.settings.rpc_timeout_ms);
  auto budget = std::chrono::milliseconds(st.settings.rpc_timeout_ms * 3 * (endpoints.size() + 1));
  self->request(worker, budget, check_atom::value, cs, endpoints)
    .then(
      [self, rp, chain_id = cs.chain_id](const rpc_outcome& out) mutable {
        record(self->state, chain_id, out);
        if (!out.answered)
          rp.deliver(make_error(errc::unavailable, "no RPC endpoint answered"));
        else
          rp.deliver(out.error.empty() && out.holds);
      },
      [rp](const caf::error&) mutable {
        rp.deliver(make_error(errc::unavailable, "the RPC check timed out"));
      });
  return rp;
}

// Asks the chain (a one-shot worker does the blocking HTTP), then caches and
// answers everyone waiting for this check.
void ask_chain(verifier_ptr self, const holding_check& h, const std::string& key,
               const std::string& std_key) {
  auto& st = self->state;
      auto endpoints = usable(st.chains[h.rule.chain_id], now_ms());
      if (endpoints.empty()) {
        count("unavailable").inc();
        settle(self, key, make_error(errc::unavailable, "no RPC endpoint of the chain is available"));
        return;
      }
      auto worker = spawn_rpc_worker(self->system(), st.settings.rpc_timeout_ms);
      auto budget = std::chrono::milliseconds(st.settings.rpc_timeout_ms * 3 * (endpoints.size() + 1));
      self->request(worker, budget, check_atom::value, h, endpoints)
        .then(
          [self, key, h, std_key](const rpc_outcome& out) {
            auto& st = self->state;
            record(st, h.rule.chain_id, out);
            if (!out.answered) {
              count("unavailable").inc();
              return settle(self, key, make_error(errc::unavailable, "no RPC endpoint answered"));
            }
            if (!out.error.empty()) {
              count("error").inc();
              return settle(self, key, make_error(errc::bad_request, out.error));
            }
            if (h.rule.standard == token_standard::detect)
              st.standards[std_key] = out.standard;
            auto ttl = out.holds ? st.settings.positive_ttl_s : st.settings.negative_ttl_s;
            if (!st.cache.empty() && ttl > 0)
              self->send(st.cache[shard_index("nft|" + key, st.cache.size())], caf::put_atom::value,
                         "nft|" + key, std::vector<char>{out.holds ? '1' : '0'}, ttl * 1000LL);
            count(out.holds ? "holds" : "lacks").inc();
            settle(self, key, out.holds);
          },
          [self, key](const caf::error&) {
            count("unavailable").inc();
            settle(self, key, make_error(errc::unavailable, "the RPC check timed out"));
          });
}

}  // namespace

nft_actor spawn_nft_verifier(caf::actor_system& sys, const nft_settings& settings,
                             std::vector<cache_shard_actor> cache) {
  return sys.spawn(verifier, settings, std::move(cache));
}

}  // namespace sg
