// Policy inside the services, tried through their messages: owners checked
// in the message that acts (a stranger's concurrent edit cannot slip in), and
// a gate's rules asked of the chain concurrently (a real JSON-RPC server on
// loopback that answers slowly).
#define BOOST_TEST_MODULE services
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <httplib.h>

#include "actors/directory/directory.hpp"
#include "actors/metadata/metadata_store.hpp"
#include "actors/nft/nft_verifier.hpp"
#include "messages/errors.hpp"
#include "messages/registry.hpp"
#include "runtime/ids.hpp"

using namespace sg;
using namespace std::chrono_literals;

namespace {

struct system_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  system_fixture() {
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

struct store_fixture : system_fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("sg-store-" + random_hex(6));
  directory_actor directory = spawn_directory(*sys);
  metadata_actor store;
  store_fixture() {
    store = spawn_metadata_store(*sys, dir.string(), directory);
    upload_info u;
    u.id = new_upload_id();
    u.video_id = "0123456789abcdef";
    u.spec.owner = "0xowner";
    u.spec.length = 1;
    video v;
    v.id = u.video_id;
    v.owner = "0xowner";
    v.title = "before";
    caf::scoped_actor self{*sys};
    self->request(store, 5s, finish_atom::value, u, v)
      .receive([](const video&) {}, [](caf::error&) { BOOST_FAIL("no video"); });
  }
  ~store_fixture() {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
    store = nullptr;  // a detached actor's thread ends with its last handle
    directory = nullptr;
    sys.reset();
    std::filesystem::remove_all(dir);
  }
};

// A JSON-RPC endpoint that holds every answer `delay` and says every wallet
// holds one token.
struct slow_chain {
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  std::atomic<int> calls{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> most_at_once{0};
  explicit slow_chain(std::chrono::milliseconds delay) {
    svr.Post("/", [this, delay](const httplib::Request&, httplib::Response& res) {
      ++calls;
      int now = ++in_flight;
      for (int seen = most_at_once.load(); now > seen && !most_at_once.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(delay);
      --in_flight;
      res.set_content(R"({"jsonrpc":"2.0","id":1,"result":"0x)" + std::string(63, '0') + R"(1"})",
                      "application/json");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { svr.listen_after_bind(); });
  }
  ~slow_chain() {
    svr.stop();
    thread.join();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(owner_and_stranger_edit_at_once_only_the_owner_lands, store_fixture) {
  caf::scoped_actor owner{*sys};
  caf::scoped_actor stranger{*sys};
  video_patch mine;
  mine.has_title = true;
  mine.title = "owner's";
  video_patch theirs;
  theirs.has_title = true;
  theirs.title = "stranger's";
  // Both requests are in the store's mailbox before either is answered.
  auto a = owner->request(store, 5s, caf::update_atom::value, principal{"0xowner"},
                          std::string{"0123456789abcdef"}, mine);
  auto b = stranger->request(store, 5s, caf::update_atom::value, principal{"0xstranger"},
                             std::string{"0123456789abcdef"}, theirs);
  a.receive([](const video& v) { BOOST_TEST(v.title == "owner's"); },
            [](caf::error&) { BOOST_FAIL("the owner was refused"); });
  caf::error refused;
  b.receive([](const video&) { BOOST_FAIL("a stranger edited the video"); },
            [&](caf::error& e) { refused = e; });
  BOOST_TEST((refused == errc::forbidden));
  caf::error kept;
  stranger->request(store, 5s, caf::delete_atom::value, principal{"0xstranger"},
                    std::string{"0123456789abcdef"})
    .receive([](caf::ok_atom) { BOOST_FAIL("a stranger deleted the video"); },
             [&](caf::error& e) { kept = e; });
  BOOST_TEST((kept == errc::forbidden));
  owner->request(store, 5s, caf::get_atom::value, video_atom::value, std::string{"0123456789abcdef"})
    .receive([](const video& v) { BOOST_TEST(v.title == "owner's"); },
             [](caf::error&) { BOOST_FAIL("the video is gone"); });
  caf::error anonymous;
  owner->request(store, 5s, caf::update_atom::value, principal{}, std::string{"0123456789abcdef"}, theirs)
    .receive([](const video&) { BOOST_FAIL("nobody edited the video"); },
             [&](caf::error& e) { anonymous = e; });
  BOOST_TEST((anonymous == errc::forbidden));
}

BOOST_FIXTURE_TEST_CASE(a_gates_rules_are_asked_concurrently, system_fixture) {
  slow_chain chain{400ms};
  nft_settings settings;
  settings.chains = {{1337, {"http://127.0.0.1:" + std::to_string(chain.port) + "/"}}};
  settings.rpc_timeout_ms = 5000;
  auto directory = spawn_directory(*sys);
  auto access = spawn_nft_verifier(*sys, settings, directory);
  gate g;
  g.mode = gate_mode::all;
  for (int i = 0; i < 4; ++i) {
    gate_rule r;
    r.chain_id = 1337;
    r.contract = "0x" + std::string(39, '0') + std::to_string(i + 1);
    r.standard = token_standard::erc721;
    g.rules.push_back(r);
  }
  caf::scoped_actor self{*sys};
  auto started = std::chrono::steady_clock::now();
  self->request(access, 10s, check_atom::value, g, std::string{"0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0"})
    .receive([](bool passes) { BOOST_TEST(passes); },
             [](caf::error& e) { BOOST_FAIL("no answer: " << to_string(e)); });
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  BOOST_TEST(chain.calls.load() == 4);
  // The endpoint saw the rules' calls at the same time, so four rules of
  // 400 ms each take one round trip, not four.
  BOOST_TEST(chain.most_at_once.load() == 4);
  BOOST_TEST_MESSAGE("four slow rules took " << took.count() << " ms");
  caf::anon_send_exit(access, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
}
