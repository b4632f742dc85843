#include "actors/metadata/catalogue_records.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "actors/metadata/search_index.hpp"
#include "messages/catalogue_json.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

const std::string category_prefix = "category/";
const std::string& playlist_prefix = playlist_key_prefix;

template <class T>
std::optional<T> parse(const std::optional<std::string>& raw) {
  if (!raw)
    return std::nullopt;
  return nlohmann::json::parse(*raw).get<T>();
}

}  // namespace

// ---- the records, as a transaction and the local index see them

std::optional<category> record_txn::get_category(const std::string& slug) {
  return parse<category>(log_.read(column::catalogue, category_prefix + slug));
}

std::optional<playlist> record_txn::get_playlist(const std::string& id) {
  return parse<playlist>(log_.read(column::catalogue, playlist_prefix + id));
}

void record_txn::put(const category& c) {
  writes_.push_back({column::catalogue, category_prefix + c.slug, nlohmann::json(c).dump()});
}

void record_txn::put(const playlist& p) {
  writes_.push_back({column::catalogue, playlist_prefix + p.id, nlohmann::json(p).dump()});
}

void record_txn::erase_category(const std::string& slug) { erase(column::catalogue, category_prefix + slug); }
void record_txn::erase_playlist(const std::string& id) { erase(column::catalogue, playlist_prefix + id); }

std::optional<category> catalog::get_category(const std::string& slug) {
  return parse<category>(get(column::catalogue, category_prefix + slug));
}

std::vector<category> catalog::categories() {
  std::vector<category> out;
  for (const auto& raw : scan(column::catalogue, category_prefix))
    out.push_back(*parse<category>(raw));
  return out;
}

std::optional<playlist> catalog::get_playlist(const std::string& id) {
  return parse<playlist>(get(column::catalogue, playlist_prefix + id));
}

std::vector<playlist> catalog::playlists_in(const std::string& list, const std::string& after, size_t limit,
                                            const std::function<bool(const playlist&)>& keep) {
  std::vector<playlist> out;
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::search))};
  it->Seek(list + after);
  if (!after.empty() && it->Valid() && it->key() == rocksdb::Slice{list + after})
    it->Next();
  for (; it->Valid() && it->key().starts_with(list) && out.size() < limit; it->Next()) {
    auto p = get_playlist(search::id_of_order_key(it->key().ToString().substr(list.size())));
    if (p && keep(*p))
      out.push_back(std::move(*p));
  }
  return out;
}

std::vector<std::string> catalog::videos_in_category(const std::string& slug, size_t limit) {
  std::vector<std::string> ids;
  auto list = search::category_prefix(slug);
  std::unique_ptr<rocksdb::Iterator> it{db_.db().NewIterator(rocksdb::ReadOptions{}, db_.cf(column::search))};
  for (it->Seek(list); it->Valid() && it->key().starts_with(list) && ids.size() < limit; it->Next())
    ids.push_back(search::id_of_order_key(it->key().ToString().substr(list.size())));
  return ids;
}

// ---- the requests

namespace catalogue_records {

namespace {

caf::error missing(const std::string& what, const std::string& id) {
  return make_error(errc::not_found, what + " " + id + " does not exist");
}

// Runs `body(txn, refused)` in a transaction; the refusal it sets wins.
template <class T, class F>
caf::expected<T> decide(catalog& db, F&& body) {
  caf::error refused;
  auto out = db.transact([&](record_txn& txn) -> std::optional<T> {
    refused = caf::error{};
    return body(txn, refused);
  });
  if (refused || !out)
    return refused ? refused : make_error(errc::internal, "the catalogue write was lost");
  return std::move(*out);
}

// How many playlists one owner may have: each is a record every node keeps.
constexpr size_t max_playlists_per_owner = 200;

// The ids without repeats, in their first order.
std::vector<std::string> unique_in_order(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& id : ids)
    if (seen.insert(id).second)
      out.push_back(id);
  return out;
}

// Why `ids` cannot be a playlist's: one names no video. Checked in the local
// index, not in the transaction (on a cluster each read there is a compare
// in etcd's transaction, which takes 128 at most); a video deleted after is
// skipped when the playlist is listed.
caf::error refuse_videos(catalog& db, const std::vector<std::string>& ids) {
  for (const auto& id : ids)
    if (!db.get_video(id))
      return make_error(errc::bad_request, "video " + id + " does not exist");
  return {};
}

}  // namespace

caf::error refuse_category(record_txn& txn, const std::string& slug) {
  if (slug.empty() || txn.get_category(slug))
    return {};
  return make_error(errc::bad_request, "category " + slug + " does not exist");
}

caf::result<std::vector<category>> list_categories(catalog& db) {
  return db.categories();
}

caf::result<category> create_category(catalog& db, category c) {
  c.created_ms = c.updated_ms = now_ms();
  // Videos still filed under the slug belong to a deletion not finished:
  // they must not join a new category by that name.
  if (!db.get_category(c.slug) && !db.videos_in_category(c.slug, 1).empty())
    return make_error(errc::conflict, "category " + c.slug + " is being deleted: its videos are still leaving it");
  return decide<category>(db, [&](record_txn& txn, caf::error& refused) -> std::optional<category> {
    if (txn.get_category(c.slug)) {
      refused = make_error(errc::conflict, "category " + c.slug + " exists already");
      return std::nullopt;
    }
    txn.put(c);
    return c;
  });
}

caf::result<category> edit_category(catalog& db, const std::string& slug, const category_patch& p) {
  return decide<category>(db, [&](record_txn& txn, caf::error& refused) -> std::optional<category> {
    auto c = txn.get_category(slug);
    if (!c) {
      refused = missing("category", slug);
      return std::nullopt;
    }
    if (p.has_name)
      c->name = p.name;
    if (p.has_description)
      c->description = p.description;
    c->updated_ms = now_ms();
    txn.put(*c);
    return c;
  });
}

caf::result<uint64_t> unfile_category(catalog& db, const std::string& slug, size_t at_most) {
  // A cluster's transaction holds a bounded number of writes: 32 at a time.
  uint64_t cleared_in_all = 0;
  while (cleared_in_all < at_most) {
    auto ids = db.videos_in_category(slug, std::min<size_t>(32, at_most - cleared_in_all));
    auto cleared = db.transact([&](record_txn& txn) {
      size_t n = 0;
      for (const auto& id : ids)
        if (auto v = txn.get_video(id); v && v->category == slug) {
          v->category.clear();
          v->updated_ms = now_ms();
          txn.put(*v);
          ++n;
        }
      return n;
    });
    cleared_in_all += cleared;
    if (cleared == 0)
      break;
  }
  return cleared_in_all;
}

caf::result<uint64_t> delete_category(catalog& db, const std::string& slug, size_t at_most) {
  bool existed = db.transact([&](record_txn& txn) {
    if (!txn.get_category(slug))
      return false;
    txn.erase_category(slug);
    return true;
  });
  // Its videos stay and leave the category after its record is gone (a video
  // put in it meanwhile is refused: its transaction reads the record). The
  // first `at_most` leave here; the store goes on in steps. A DELETE cut
  // short (an error, a restart) is finished by the next one.
  auto cleared = unfile_category(db, slug, at_most);
  if (!existed && cleared.flag == caf::rt_value && cleared.value.get_as<uint64_t>(0) == 0)
    return missing("category", slug);
  return cleared;
}

caf::result<playlist> create_playlist(catalog& db, const principal& who, playlist p) {
  p.id = random_hex(8);
  p.owner = who.address;
  p.created_ms = p.updated_ms = now_ms();
  p.video_ids = unique_in_order(p.video_ids);
  if (auto refused = refuse_videos(db, p.video_ids))
    return refused;
  auto everything = [](const playlist&) { return true; };
  if (db.playlists_in(search::playlist_owner_prefix(p.owner), "", max_playlists_per_owner, everything).size() >=
      max_playlists_per_owner)
    return make_error(errc::conflict, "you have " + std::to_string(max_playlists_per_owner) +
                                        " playlists already: delete one first");
  return decide<playlist>(db, [&](record_txn& txn, caf::error&) -> std::optional<playlist> {
    txn.put(p);
    return p;
  });
}

caf::result<playlist> get_playlist(catalog& db, const std::string& id) {
  if (auto p = db.get_playlist(id))
    return std::move(*p);
  return missing("playlist", id);
}

namespace {

// "<created_ms>_<id>" as the gateway makes it from the last playlist of a
// page: the order key to go on after, or nothing when it is malformed.
std::optional<std::string> order_after(const std::string& cursor) {
  if (cursor.empty())
    return std::string{};
  auto cut = cursor.find('_');
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  // Playlist ids have the form of video ids: 16 lower-case hex digits.
  if (cut == std::string::npos || cut == 0 || cut > 15 || !is_video_id(cursor.substr(cut + 1)) ||
      !std::all_of(cursor.begin(), cursor.begin() + static_cast<long>(cut), digit))
    return std::nullopt;
  return search::order_key(std::stoll(cursor.substr(0, cut)), cursor.substr(cut + 1));
}

}  // namespace

caf::result<std::vector<playlist>> list_playlists(catalog& db, const principal& who, const std::string& owner,
                                                  const std::string& cursor, uint32_t limit) {
  auto after = order_after(cursor);
  if (!after)
    return make_error(errc::bad_request, "cursor is malformed: pass next_cursor as it was given");
  if (owner.empty())
    return db.playlists_in(search::public_playlists_prefix(), *after, limit, [](const playlist&) { return true; });
  // One owner's list is at most max_playlists_per_owner long: filtering it is bounded.
  return db.playlists_in(search::playlist_owner_prefix(owner), *after, limit, [&](const playlist& p) {
    return p.visibility == playlist_visibility::is_public || who.owns(p.owner);
  });
}

caf::result<playlist> edit_playlist(catalog& db, const principal& who, const std::string& id,
                                    playlist_patch patch) {
  patch.video_ids = unique_in_order(patch.video_ids);
  if (auto refused = refuse_videos(db, patch.video_ids))
    return refused;
  return decide<playlist>(db, [&](record_txn& txn, caf::error& refused) -> std::optional<playlist> {
    auto p = txn.get_playlist(id);
    if (!p || !who.owns(p->owner)) {
      refused = p ? make_error(errc::forbidden, "only the owner may edit this playlist") : missing("playlist", id);
      return std::nullopt;
    }
    if (patch.has_title)
      p->title = patch.title;
    if (patch.has_description)
      p->description = patch.description;
    if (patch.has_visibility)
      p->visibility = patch.visibility;
    if (patch.has_video_ids)
      p->video_ids = patch.video_ids;
    p->updated_ms = now_ms();
    txn.put(*p);
    return p;
  });
}

caf::result<caf::ok_atom> delete_playlist(catalog& db, const principal& who, const std::string& id) {
  auto gone = decide<bool>(db, [&](record_txn& txn, caf::error& refused) -> std::optional<bool> {
    auto p = txn.get_playlist(id);
    if (!p || !who.owns(p->owner)) {
      refused = p ? make_error(errc::forbidden, "only the owner may delete this playlist") : missing("playlist", id);
      return std::nullopt;
    }
    txn.erase_playlist(id);
    return true;
  });
  if (!gone)
    return gone.error();
  return caf::ok_atom::value;
}

caf::result<video_page> playlist_videos(catalog& db, const video_query& q) {
  auto p = db.get_playlist(q.playlist);
  if (!p)
    return missing("playlist", q.playlist);
  size_t from = 0;
  if (!q.cursor.empty()) {
    auto at = text::parse_u64(q.cursor);
    if (!at)
      return make_error(errc::bad_request, "cursor is malformed");
    from = static_cast<size_t>(std::min<uint64_t>(*at, p->video_ids.size()));
  }
  auto pq = search::parse(q);
  video_page page;
  for (size_t i = from; i < p->video_ids.size(); ++i) {
    auto v = db.get_video(p->video_ids[i]);
    if (!v || !search::matches(*v, pq))
      continue;  // deleted since, or filtered out
    if (page.items.size() == q.limit) {
      page.next_cursor = std::to_string(i);
      break;
    }
    page.items.push_back(std::move(*v));
  }
  return page;
}

}  // namespace catalogue_records

}  // namespace sg
