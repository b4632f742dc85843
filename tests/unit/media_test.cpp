// The media store: the layout nobody else knows, parts that become sources in
// one step, and what survives a crash between append and commit.
#define BOOST_TEST_MODULE media
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/media/media_store.hpp"
#include "messages/errors.hpp"
#include "messages/registry.hpp"
#include "runtime/ids.hpp"
#include "runtime/media_files.hpp"

using namespace sg;
namespace fs = std::filesystem;

namespace {

struct dir_fixture {
  fs::path dir = fs::temp_directory_path() / ("sg-media-" + random_hex(6));
  media_files files{dir.string()};
  dir_fixture() { files.create(); }
  ~dir_fixture() { fs::remove_all(dir); }

  std::string read(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_part_becomes_the_source_in_one_step, dir_fixture) {
  {
    auto part = files.open_part("u1");
    part->write_at(0, "hello world", 11);
    part->sync();
  }
  files.commit_source("u1", "v1");
  auto where = files.locate("v1");
  BOOST_TEST(read(where.source) == "hello world");
  BOOST_TEST(!fs::exists(dir / "uploads" / "u1.part"));
  files.commit_source("u1", "v1");  // again, as crash recovery would: harmless
  BOOST_TEST(read(where.source) == "hello world");
}

BOOST_FIXTURE_TEST_CASE(a_crash_between_append_and_commit_keeps_what_was_acknowledged, dir_fixture) {
  {
    auto part = files.open_part("u2");
    part->write_at(0, "acknowledged", 12);
    part->sync();                        // the offset moves only now
    part->write_at(12, "in flight", 9);  // then the process dies
  }
  auto reopened = files.open_part("u2");
  BOOST_TEST_REQUIRE(reopened->size() >= 12u);
  reopened->truncate(12);  // what a session does with bytes past the stored offset
  reopened.reset();
  files.commit_source("u2", "v2");
  BOOST_TEST(read(files.locate("v2").source) == "acknowledged");
}

BOOST_FIXTURE_TEST_CASE(parts_join_in_order, dir_fixture) {
  for (auto [id, text] : std::vector<std::pair<std::string, std::string>>{{"a", "first,"}, {"b", "second"}}) {
    auto p = files.open_part(id);
    p->write_at(0, text.data(), text.size());
    p->sync();
  }
  auto whole = files.open_part("final");
  files.append_part(*whole, "a", 6);
  files.append_part(*whole, "b", 6);
  whole->sync();
  whole.reset();
  files.commit_source("final", "v3");
  BOOST_TEST(read(files.locate("v3").source) == "first,second");
}

BOOST_FIXTURE_TEST_CASE(the_store_serves_stat_ranges_and_removal, dir_fixture) {
  fs::create_directories(dir / "media" / "v4" / "720p");
  std::ofstream{dir / "media" / "v4" / "720p" / "seg_00001.m4s", std::ios::binary} << "0123456789";
  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  auto store = spawn_media_store(sys, std::make_shared<media_files>(dir.string()));
  caf::scoped_actor self{sys};
  self->request(store, std::chrono::seconds(5), caf::get_atom::value, media_atom::value,
                std::string{"v4"}, std::string{"720p/seg_00001.m4s"})
    .receive([](const media_stat& s) { BOOST_TEST(s.size == 10u); },
             [](caf::error&) { BOOST_FAIL("no stat"); });
  self->request(store, std::chrono::seconds(5), caf::get_atom::value, media_atom::value,
                std::string{"v4"}, std::string{"720p/seg_00001.m4s"}, uint64_t{3}, uint32_t{4})
    .receive([](const std::vector<char>& bytes) { BOOST_TEST(std::string(bytes.begin(), bytes.end()) == "3456"); },
             [](caf::error&) { BOOST_FAIL("no bytes"); });
  caf::error missing;
  self->request(store, std::chrono::seconds(5), caf::get_atom::value, media_atom::value,
                std::string{"v4"}, std::string{"720p/seg_00002.m4s"})
    .receive([](const media_stat&) { BOOST_FAIL("a file that is not there"); },
             [&](caf::error& e) { missing = e; });
  BOOST_TEST((missing == errc::not_found));
  self->request(store, std::chrono::seconds(5), caf::delete_atom::value, video_atom::value, std::string{"v4"})
    .receive([](caf::ok_atom) {}, [](caf::error&) { BOOST_FAIL("not removed"); });
  BOOST_TEST(!fs::exists(dir / "media" / "v4"));
  self->send_exit(store, caf::exit_reason::user_shutdown);
}
