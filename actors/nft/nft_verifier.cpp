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
#include "runtime/actor_stats.hpp"

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
  directory_actor directory;
  peer_set peers;  // the cache, where results live
  std::map<std::string, token_standard> standards;  // chain|contract -> erc721 / erc1155
  std::map<std::string, std::vector<caf::typed_response_promise<bool>>> in_flight;
  static inline const char* name = "nft_verifier";
};

// The public interface and the directory's updates.
using verifier_actor = nft_actor::extend<directory_update>;

using verifier_ptr = verifier_actor::stateful_pointer<verifier_state>;

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

// For the monitor's rpc_circuit_open rule: endpoints not closed (open, or
// open and due for their trial call).
void count_open_circuits(const verifier_state& st) {
  static auto& open = metrics::global().get_gauge("streamgate_nft_rpc_circuits_open",
                                                  "JSON-RPC endpoints whose circuit is open or half-open");
  int64_t n = 0;
  for (const auto& [chain, eps] : st.chains)
    n += std::count_if(eps.begin(), eps.end(), [](const endpoint& e) { return e.open_until_ms > 0; });
  open.set(n);
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
  count_open_circuits(st);
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

// All rules at once (each through the cache and the shared in-flight calls):
// the first answer that settles the mode settles the gate; an error counts
// only when no rule settled it.
caf::result<bool> check_gate(verifier_ptr self, const gate& g, const std::string& viewer) {
  if (g.rules.empty())
    return true;
  struct tally {
    size_t pending = 0;
    bool settled = false;
    caf::error error;
  };
  auto t = std::make_shared<tally>();
  t->pending = g.rules.size();
  auto rp = self->make_response_promise<bool>();
  const bool any = g.mode == gate_mode::any;
  auto me = caf::actor_cast<nft_actor>(self);
  for (const auto& rule : g.rules) {
    self->request(me, std::chrono::seconds(30), check_atom::value, holding_check{rule, viewer})
      .then(
        [t, rp, any](bool holds) mutable {
          --t->pending;
          if (t->settled)
            return;
          if (holds == any) {  // any: one holds; all: one lacks
            t->settled = true;
            return rp.deliver(holds), void();
          }
          if (t->pending == 0) {
            t->settled = true;
            if (t->error)
              rp.deliver(t->error);
            else
              rp.deliver(!any);
          }
        },
        [t, rp, any](caf::error& e) mutable {
          --t->pending;
          if (t->settled)
            return;
          t->error = std::move(e);
          if (t->pending == 0) {
            t->settled = true;
            rp.deliver(t->error);
          }
        });
  }
  return rp;
}

verifier_actor::behavior_type verifier(verifier_ptr self, nft_settings settings,
                                       directory_actor directory) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.directory = directory;
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  for (const auto& [id, urls] : st.settings.chains)
    for (const auto& u : urls)
      st.chains[id].push_back(endpoint{u});
  count_open_circuits(st);
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (sent_by(self, self->state.directory))
        self->state.peers.update(s, std::move(h));
    },
    [self](check_atom, const gate& g, const std::string& viewer) { return check_gate(self, g, viewer); },
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
      auto cache = st.peers.get<service::cache>();
      if (!cache) {
        ask_chain(self, h, key, std_key);
        return rp;
      }
      self->request(cache, std::chrono::seconds(2), caf::get_atom::value, "nft|" + key)
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
            if (auto cache = st.peers.get<service::cache>(); cache && ttl > 0)
              self->send(cache, caf::put_atom::value,
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
                             directory_actor directory) {
  return actor_stats::spawn(sys, "access", verifier, settings, std::move(directory));
}

}  // namespace sg
