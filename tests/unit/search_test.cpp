#define BOOST_TEST_MODULE search
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "actors/metadata/catalog.hpp"
#include "actors/metadata/search_index.hpp"
#include "runtime/ids.hpp"

using namespace sg;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(tokenizer_lowercases_and_splits) {
  BOOST_TEST(search::tokenize("Hello, World! 4K-HDR") ==
             (std::vector<std::string>{"hello", "world", "4k", "hdr"}));
  BOOST_TEST(search::tokenize("  ").empty());
  // UTF-8 stays inside words; only ASCII is folded.
  BOOST_TEST(search::tokenize("Café Übung") ==
             (std::vector<std::string>{"café", "Übung"}));
  BOOST_TEST(search::tokenize(std::string(65, 'a')).empty());  // over-long words dropped
}

BOOST_AUTO_TEST_CASE(order_keys_sort_newest_first) {
  auto older = search::order_key(1000, "aaaaaaaaaaaaaaaa");
  auto newer = search::order_key(2000, "aaaaaaaaaaaaaaaa");
  BOOST_TEST(newer < older);
  BOOST_TEST(search::is_order_key(newer));
  BOOST_TEST(search::id_of_order_key(newer) == "aaaaaaaaaaaaaaaa");
  BOOST_TEST(!search::is_order_key("zz"));
}

BOOST_AUTO_TEST_CASE(matching_is_exact_for_terms_and_prefix_for_the_last) {
  video v;
  v.title = "Sunset over Lisbon";
  v.description = "golden hour";
  v.tags = {"Travel"};
  v.status = video_status::queued;
  auto q = [](std::string text, std::string tag = "", std::vector<video_status> status = {}) {
    video_query vq;
    vq.q = std::move(text);
    vq.tag = std::move(tag);
    vq.status = std::move(status);
    return search::parse(vq);
  };
  BOOST_TEST(search::matches(v, q("sunset lis")));
  BOOST_TEST(search::matches(v, q("LISBON")));
  BOOST_TEST(search::matches(v, q("gold")));
  BOOST_TEST(!search::matches(v, q("sun lisbon")));  // only the last word is a prefix
  BOOST_TEST(!search::matches(v, q("sunset porto")));
  BOOST_TEST(search::matches(v, q("", "travel")));
  BOOST_TEST(!search::matches(v, q("", "trav")));
  BOOST_TEST(!search::matches(v, q("", "", {video_status::ready})));
  BOOST_TEST(search::matches(v, q("", "", {video_status::ready, video_status::queued})));
}

struct catalog_fixture {
  fs::path dir = fs::temp_directory_path() / ("sg-search-" + random_hex(6));
  std::unique_ptr<database> db;
  std::unique_ptr<catalog> records;
  int64_t clock = 1'700'000'000'000;

  catalog_fixture() { open(); }
  ~catalog_fixture() {
    records.reset();
    db.reset();
    fs::remove_all(dir);
  }
  void open() {
    records.reset();
    db.reset();
    fs::create_directories(dir);
    db = std::make_unique<database>(dir.string());
    records = std::make_unique<catalog>(*db);
  }
  video add(std::string title, std::vector<std::string> tags = {}, std::string owner = "") {
    video v;
    v.id = new_video_id();
    v.title = std::move(title);
    v.tags = std::move(tags);
    v.owner = std::move(owner);
    v.created_ms = v.updated_ms = ++clock;
    records->put_video(v);
    return v;
  }
  std::vector<std::string> ids(video_query q) {
    std::vector<std::string> out;
    for (const auto& v : records->query(q).items)
      out.push_back(v.id);
    return out;
  }
  static video_query text(std::string q) {
    video_query vq;
    vq.q = std::move(q);
    return vq;
  }
};

BOOST_FIXTURE_TEST_CASE(query_combines_terms_filters_and_order, catalog_fixture) {
  auto a = add("Cats playing piano", {"music"}, "alice");
  auto b = add("Dogs playing fetch", {"pets"}, "bob");
  auto c = add("Cat videos compilation", {"pets", "music"}, "alice");
  BOOST_TEST(ids(text("playing")) == (std::vector<std::string>{b.id, a.id}));
  BOOST_TEST(ids(text("cat")) == (std::vector<std::string>{c.id, a.id}));  // prefix: cat, cats
  BOOST_TEST(ids(text("playing ca")) == (std::vector<std::string>{a.id}));
  BOOST_TEST(ids(text("")) == (std::vector<std::string>{c.id, b.id, a.id}));
  auto by_tag = text("");
  by_tag.tag = "MUSIC";
  BOOST_TEST(ids(by_tag) == (std::vector<std::string>{c.id, a.id}));
  auto by_owner = text("ca");
  by_owner.owner = "alice";
  BOOST_TEST(ids(by_owner) == (std::vector<std::string>{c.id, a.id}));
  BOOST_TEST(ids(text("zebra")).empty());
}

BOOST_FIXTURE_TEST_CASE(cursors_page_through_without_gaps_or_repeats, catalog_fixture) {
  std::vector<std::string> originals;
  for (int i = 0; i < 7; ++i)
    originals.insert(originals.begin(), add("clip number " + std::to_string(i)).id);
  for (const char* q : {"", "clip", "cli"}) {  // the three walks: all, word, prefix
    // Expected: what existed when the walk began, newest first.
    auto expected = ids(text("late"));
    expected.insert(expected.end(), originals.begin(), originals.end());
    std::vector<std::string> seen;
    auto vq = text(q);
    vq.limit = 3;
    for (int page = 0; page < 5; ++page) {
      auto p = records->query(vq);
      for (const auto& v : p.items)
        seen.push_back(v.id);
      if (p.next_cursor.empty())
        break;
      // A newer video arriving between pages must not disturb the walk.
      if (page == 0)
        add("clip arriving late");
      vq.cursor = p.next_cursor;
    }
    BOOST_TEST(seen == expected, "walk for '" << q << "'");
  }
}

BOOST_FIXTURE_TEST_CASE(updates_move_postings_and_deletes_remove_them, catalog_fixture) {
  auto v = add("Old title", {"first"});
  auto edited = v;
  edited.title = "New name";
  edited.tags = {"second"};
  records->put_video(edited);
  BOOST_TEST(ids(text("old")).empty());
  BOOST_TEST(ids(text("new")) == (std::vector<std::string>{v.id}));
  auto tagged = text("");
  tagged.tag = "first";
  BOOST_TEST(ids(tagged).empty());
  BOOST_TEST(records->delete_video(v.id, [](const video&) { return true; }).has_value());
  BOOST_TEST(ids(text("new")).empty());
  BOOST_TEST(!records->get_video(v.id));
  // Nothing is left behind in the index.
  std::unique_ptr<rocksdb::Iterator> it{
    db->db().NewIterator(rocksdb::ReadOptions{}, db->cf(column::search))};
  it->SeekToFirst();
  BOOST_TEST(!it->Valid());
}

BOOST_FIXTURE_TEST_CASE(records_survive_reopening, catalog_fixture) {
  auto v = add("Persistent clip", {"keep"});
  upload_info u;
  u.id = new_upload_id();
  u.video_id = new_video_id();
  u.spec.length = 100;
  u.offset = 40;
  records->put_upload(u);
  open();
  BOOST_TEST(records->get_video(v.id)->title == "Persistent clip");
  BOOST_TEST(ids(text("persist")) == (std::vector<std::string>{v.id}));
  BOOST_TEST(records->get_upload(u.id)->offset == 40u);
  BOOST_TEST(records->list_uploads().size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(finishing_an_upload_is_atomic_and_idempotent, catalog_fixture) {
  upload_info u;
  u.id = new_upload_id();
  u.video_id = new_video_id();
  u.spec.length = u.offset = 10;
  records->put_upload(u);
  video v;
  v.id = u.video_id;
  v.title = "first";
  v.created_ms = 5;
  records->finish_upload(u, v);
  auto again = v;
  again.title = "second";
  BOOST_TEST(records->finish_upload(u, again).title == "first");
  BOOST_TEST((records->get_upload(u.id)->state == upload_state::finished));
  BOOST_TEST(ids(text("second")).empty());
}

BOOST_FIXTURE_TEST_CASE(spent_auth_records_are_swept, catalog_fixture) {
  const int64_t now = 1'800'000'000'000;
  records->put_nonce("old", R"({"expires_ms":1799999999000})");
  records->put_nonce("live", R"({"expires_ms":1800000100000})");
  BOOST_TEST(records->revoke("old-jti", 1799999000));  // token expiry, seconds
  BOOST_TEST(records->revoke("live-jti", 1800000500));
  BOOST_TEST(!records->revoke("live-jti", 1800000500));  // exactly once
  BOOST_TEST(records->sweep_auth(now) == 2u);
  BOOST_TEST(!records->get_nonce("old"));
  BOOST_TEST(records->get_nonce("live").has_value());
  BOOST_TEST(!records->is_revoked("old-jti"));
  BOOST_TEST(records->is_revoked("live-jti"));
  BOOST_TEST(*records->take_nonce("live") == R"({"expires_ms":1800000100000})");
  BOOST_TEST(!records->take_nonce("live"));  // single use
}
