// The cluster's records in a real etcd on loopback, each node with its own
// RocksDB as the local index: a write on one node is read on the others,
// conditional writes (single-use challenges, revocations, concurrent edits)
// hold across nodes, and an index resumes from its revision after a restart,
// copies everything when wiped or compacted past (without ever showing an
// empty index), and never drops a single node's records. A job is taken from
// its member only once that member's lease is gone, and the old holder is
// fenced.
#define BOOST_TEST_MODULE records
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <httplib.h>

#include "actors/metadata/analytics_records.hpp"
#include "actors/metadata/catalog.hpp"
#include "actors/metadata/catalogue_records.hpp"
#include "actors/metadata/search_index.hpp"
#include "messages/catalogue_json.hpp"
#include "cluster/etcd.hpp"
#include "cluster/etcd_records.hpp"
#include "runtime/ids.hpp"
#include "tests/support/etcd_process.hpp"

using namespace sg;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// One node's metadata: its RocksDB following the shared etcd.
struct member {
  fs::path dir;
  std::unique_ptr<database> db;
  std::unique_ptr<catalog> records;

  member(const std::string& etcd_url, fs::path d) : dir(std::move(d)) { open(etcd_url); }
  ~member() { close(); }
  void open(const std::string& etcd_url) {
    fs::create_directories(dir);
    db = std::make_unique<database>(dir.string());
    cluster::records_settings s{{etcd_url}, {}, "/streamgate/test/records/", "/streamgate/test/members/", "test"};
    records = std::make_unique<catalog>(*db, [s](record_sink& index) { return cluster::open_etcd_records(s, index); });
  }
  void close() {
    records.reset();
    db.reset();
  }
};

struct cluster_fixture {
  testing::etcd_process etcd;
  fs::path root = fs::temp_directory_path() / ("sg-records-" + random_hex(6));
  member a{etcd.url(), root / "a"};
  member b{etcd.url(), root / "b"};
  ~cluster_fixture() {
    a.close();
    b.close();
    fs::remove_all(root);
  }
};

// A database directory of one test, removed after it (declared first, so
// the databases in it close before).
struct scratch_dir {
  fs::path path = fs::temp_directory_path() / ("sg-records-" + random_hex(6));
  scratch_dir() { fs::create_directories(path); }
  ~scratch_dir() { fs::remove_all(path); }
};

video make_video(const std::string& title, const std::string& owner = "alice") {
  video v;
  v.id = new_video_id();
  v.title = title;
  v.owner = owner;
  v.source_bytes = 1000;
  v.created_ms = v.updated_ms = 1'700'000'000'000;
  return v;
}

// The other node's index follows within moments.
template <class F>
bool eventually(F&& check, std::chrono::milliseconds within = 3000ms) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return check();
}

std::vector<std::string> found(catalog& c, const std::string& q) {
  video_query vq;
  vq.q = q;
  std::vector<std::string> ids;
  for (const auto& v : c.query(vq).items)
    ids.push_back(v.id);
  return ids;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_write_on_one_node_is_read_and_found_on_another, cluster_fixture) {
  auto v = make_video("Harbour at dawn");
  a.records->put_video(v);
  BOOST_TEST(a.records->get_video(v.id).has_value());  // read-your-write, at once
  BOOST_TEST(eventually([&] { return b.records->get_video(v.id).has_value(); }));
  BOOST_TEST(found(*b.records, "harbour") == std::vector<std::string>{v.id});
  BOOST_TEST(b.records->usage_of("alice") == 1000u);
  auto edited = b.records->update_video(v.id, [](video& x) {
    x.title = "Harbour at dusk";
    return true;
  });
  BOOST_TEST(edited->title == "Harbour at dusk");
  BOOST_TEST(found(*b.records, "dusk") == std::vector<std::string>{v.id});
  BOOST_TEST(eventually([&] { return found(*a.records, "dusk").size() == 1; }));
  BOOST_TEST(found(*a.records, "dawn").empty());
  BOOST_TEST(b.records->delete_video(v.id, [](const video&) { return true; }).has_value());
  BOOST_TEST(eventually([&] { return !a.records->get_video(v.id) && a.records->usage_of("alice") == 0; }));
}

BOOST_FIXTURE_TEST_CASE(conditional_writes_hold_across_nodes, cluster_fixture) {
  a.records->put_nonce("n1", R"({"expires_ms":1})");
  BOOST_TEST(eventually([&] { return b.records->get_nonce("n1").has_value(); }));
  // Both nodes take the same challenge at once: exactly one gets it.
  std::atomic<int> taken{0};
  std::thread ta([&] { taken += a.records->take_nonce("n1").has_value(); });
  std::thread tb([&] { taken += b.records->take_nonce("n1").has_value(); });
  ta.join();
  tb.join();
  BOOST_TEST(taken.load() == 1);
  std::atomic<int> revoked{0};
  std::thread ra([&] { revoked += a.records->revoke("jti-1", 2'000'000'000); });
  std::thread rb([&] { revoked += b.records->revoke("jti-1", 2'000'000'000); });
  ra.join();
  rb.join();
  BOOST_TEST(revoked.load() == 1);
  // Whichever node won, both see it within moments.
  BOOST_TEST(eventually([&] { return a.records->is_revoked("jti-1") && b.records->is_revoked("jti-1"); }));
}

BOOST_FIXTURE_TEST_CASE(concurrent_edits_on_two_nodes_lose_nothing, cluster_fixture) {
  auto v = make_video("Counter");
  a.records->put_video(v);
  BOOST_TEST(eventually([&] { return b.records->get_video(v.id).has_value(); }));
  // Each node adds its own tags to the same record; a write that raced
  // another is run again on the newer record, so every tag survives.
  auto add_tags = [&](catalog& c, const std::string& who) {
    for (int i = 0; i < 15; ++i)
      c.update_video(v.id, [&](video& x) {
        x.tags.push_back(who + std::to_string(i));
        return true;
      });
  };
  std::thread ta([&] { add_tags(*a.records, "a"); });
  std::thread tb([&] { add_tags(*b.records, "b"); });
  ta.join();
  tb.join();
  // Each node read its own last write at once; the other's arrives within moments.
  BOOST_TEST(eventually([&] {
    return a.records->get_video(v.id)->tags.size() == 30u && b.records->get_video(v.id)->tags.size() == 30u;
  }));
}

BOOST_FIXTURE_TEST_CASE(an_index_resumes_after_a_restart_and_copies_when_wiped, cluster_fixture) {
  auto first = make_video("Before the restart");
  a.records->put_video(first);
  BOOST_TEST(eventually([&] { return b.records->get_video(first.id).has_value(); }));
  b.close();
  auto second = make_video("While it was away");
  a.records->put_video(second);
  a.records->delete_video(first.id, [](const video&) { return true; });
  b.open(etcd.url());  // resumes from its revision: the delete and the put arrive
  BOOST_TEST(eventually([&] { return b.records->get_video(second.id) && !b.records->get_video(first.id); }));
  BOOST_TEST(found(*b.records, "away") == std::vector<std::string>{second.id});
  b.close();
  fs::remove_all(b.dir);
  b.open(etcd.url());  // a wiped index copies the records
  BOOST_TEST(b.records->get_video(second.id).has_value());
  BOOST_TEST(found(*b.records, "away") == std::vector<std::string>{second.id});
  BOOST_TEST(b.records->usage_of("alice") == 1000u);
}

BOOST_FIXTURE_TEST_CASE(an_index_past_the_compacted_history_copies_again, cluster_fixture) {
  b.close();
  auto v = make_video("Compacted away");
  a.records->put_video(v);
  auto gone = make_video("Deleted meanwhile");
  a.records->put_video(gone);
  a.records->delete_video(gone.id, [](const video&) { return true; });
  etcd::client admin{{etcd.url()}};
  auto now = admin.get("/").revision;
  httplib::Client http{etcd.url()};
  auto res = http.Post("/v3/kv/compaction", R"({"revision":")" + std::to_string(now) + R"(","physical":true})",
                       "application/json");
  BOOST_REQUIRE(res);
  BOOST_REQUIRE(res->status == 200);
  b.open(etcd.url());
  BOOST_TEST(eventually([&] { return b.records->get_video(v.id).has_value(); }));
  BOOST_TEST(!b.records->get_video(gone.id));
}

BOOST_AUTO_TEST_CASE(a_single_nodes_records_are_never_dropped_by_joining_a_cluster) {
  testing::etcd_process etcd;
  scratch_dir scratch;
  const auto& dir = scratch.path;
  auto v = make_video("Only here");
  {
    database db{dir.string()};
    catalog alone{db};
    alone.put_video(v);
  }
  {
    database db{dir.string()};
    cluster::records_settings s{{etcd.url()}, {}, "/streamgate/test/records/", "/streamgate/test/members/", "test"};
    BOOST_CHECK_THROW(catalog(db, [s](record_sink& index) { return cluster::open_etcd_records(s, index); }),
                      std::runtime_error);
  }
  database db{dir.string()};
  catalog alone{db};
  BOOST_TEST(alone.get_video(v.id)->title == "Only here");
}

BOOST_FIXTURE_TEST_CASE(a_job_is_taken_from_a_member_only_once_its_lease_is_gone, cluster_fixture) {
  job_info job;
  job.id = "job-1";
  job.video_id = "v1";
  job.state = job_state::running;
  a.records->transact([&](record_txn& txn) {
    txn.put(job);
    return true;
  });
  // Member m-a holds a lease (its key lives with it, as membership keeps it).
  etcd::client admin{{etcd.url()}};
  auto lease = admin.grant(30);
  admin.put("/streamgate/test/members/m-a", "{}", lease);
  BOOST_TEST(a.records->claim_job("job-1", "m-a")->node == "m-a");
  BOOST_TEST(!b.records->claim_job("job-1", "m-b"));  // m-a is alive: not b's to take
  admin.revoke(lease);                                 // m-a dies
  auto taken = b.records->claim_job("job-1", "m-b");
  BOOST_REQUIRE(taken);
  BOOST_TEST(taken->node == "m-b");
  // The old holder is fenced: nothing it writes about the job is accepted.
  BOOST_TEST(eventually([&] { return a.records->get_job("job-1")->node == "m-b"; }));
  auto late = job;
  late.node = "m-a";
  late.state = job_state::succeeded;
  video_state s;
  s.video_id = "v1";
  s.status = video_status::ready;
  BOOST_CHECK_THROW(a.records->apply_state(s, late), job_fenced);
  BOOST_TEST((b.records->get_job("job-1")->state == job_state::running));
}

// Playlists are listed from the search index: one stored before the index
// kept their keys (an older version's database) is indexed when opened, and
// an edit moves it between the public list and its owner's.
BOOST_AUTO_TEST_CASE(playlists_stored_before_their_index_are_indexed_when_opened) {
  scratch_dir scratch;
  const auto& dir = scratch.path;
  playlist p;
  p.id = new_video_id();
  p.owner = "0xOwner";
  p.title = "Older";
  p.created_ms = 1700000000000;
  {
    database db{dir.string()};
    rocksdb::WriteBatch b;
    b.Put(db.cf(column::catalogue), playlist_key_prefix + p.id, nlohmann::json(p).dump());
    db.write(b);
  }
  database db{dir.string()};
  catalog records{db};
  auto all = [](const playlist&) { return true; };
  BOOST_TEST(records.playlists_in(search::public_playlists_prefix(), "", 10, all).size() == 1u);
  BOOST_TEST(records.playlists_in(search::playlist_owner_prefix("0xOwner"), "", 10, all).size() == 1u);
  p.visibility = playlist_visibility::unlisted;
  records.transact([&](record_txn& txn) {
    txn.put(p);
    return true;
  });
  BOOST_TEST(records.playlists_in(search::public_playlists_prefix(), "", 10, all).empty());
  BOOST_TEST(records.playlists_in(search::playlist_owner_prefix("0xOwner"), "", 10, all).front().title == "Older");
}

// The retention sweep deletes the rows of old hours, a slice at a time, and
// keeps recent rows and the day's salt.
BOOST_AUTO_TEST_CASE(analytics_rows_of_old_hours_are_pruned_and_salts_kept) {
  scratch_dir scratch;
  const auto& dir = scratch.path;
  {
    database db{dir.string()};
    catalog records{db};
    const int64_t hour = 3'600'000;
    const int64_t now = 1'800'000'000'000 / hour * hour;
    view_stats one;
    one.plays = 1;
    std::vector<view_stats_row> rows;
    for (int h = 0; h < 5; ++h) {
      rows.push_back({analytics_keys::video_hour("00000000000000aa", now - h * 24 * hour), one});
      rows.push_back({analytics_keys::owner_hour("0xOwner", now - h * 24 * hour, "00000000000000aa"), one});
    }
    BOOST_REQUIRE(analytics_records::merge_rows(records, rows).flag == caf::rt_value);
    BOOST_REQUIRE(analytics_records::salt_of(records, "2027-01-15").flag == caf::rt_value);
    auto deleted = [](caf::result<uint64_t> r) { return r.value.get_as<uint64_t>(0); };
    auto cutoff = now - 2 * 24 * hour;  // keeps today, yesterday and the day before
    BOOST_TEST(deleted(analytics_records::prune_rows(records, cutoff, 3)) == 3u);  // a slice: the sweep asks again
    BOOST_TEST(deleted(analytics_records::prune_rows(records, cutoff, 100)) == 1u);
    auto left = records.analytics_between("", "\xff");
    BOOST_TEST(left.size() == 7u);  // 3 hours x 2 rows, and the salt
    for (const auto& [key, value] : left)
      BOOST_TEST((key.rfind("salt/", 0) == 0 || analytics_keys::hour_of(key) >= cutoff), key);
  }
}

// A deleted category leaves its videos a slice at a time (the store sends
// itself the next slice); until the last has left, the slug cannot be
// created again, or the stragglers would join the new category.
BOOST_AUTO_TEST_CASE(a_deleted_category_leaves_its_videos_in_slices) {
  scratch_dir scratch;
  const auto& dir = scratch.path;
  {
    database db{dir.string()};
    catalog records{db};
    category c;
    c.slug = "harbours";
    c.name = "Harbours";
    BOOST_REQUIRE(catalogue_records::create_category(records, c).flag == caf::rt_value);
    for (int i = 0; i < 70; ++i) {
      auto v = make_video("Harbour " + std::to_string(i));
      v.category = "harbours";
      records.put_video(v);
    }
    auto count = [](caf::result<uint64_t> r) { return r.value.get_as<uint64_t>(0); };
    BOOST_TEST(count(catalogue_records::delete_category(records, "harbours", 40)) == 40u);
    BOOST_TEST(!records.get_category("harbours"));
    BOOST_TEST((catalogue_records::create_category(records, c).flag == caf::rt_error));  // 30 still leaving
    BOOST_TEST(count(catalogue_records::unfile_category(records, "harbours", 40)) == 30u);
    BOOST_TEST(records.videos_in_category("harbours", 100).empty());
    BOOST_TEST(count(catalogue_records::unfile_category(records, "harbours", 40)) == 0u);
    BOOST_TEST((catalogue_records::delete_category(records, "harbours", 40).flag == caf::rt_error));  // gone
    BOOST_TEST(catalogue_records::create_category(records, c).flag == caf::rt_value);
  }
}
