#pragma once
// The catalogue's requests (catalogue_store_actor), each one answered from
// the records: categories under "category/<slug>" and playlists under
// "playlist/<id>" in the catalogue column, written through the record log
// like every record (in etcd on a cluster). docs/architecture.md §Catalogue.
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/make_message.hpp>  // caf/result.hpp uses it without including it
#include <caf/result.hpp>

#include "actors/metadata/catalog.hpp"
#include "messages/catalogue.hpp"
#include "messages/principal.hpp"

namespace sg::catalogue_records {

caf::result<std::vector<category>> list_categories(catalog& db);
caf::result<category> create_category(catalog& db, category c);
caf::result<category> edit_category(catalog& db, const std::string& slug, const category_patch& p);
/// Deletes the category's record and takes it off at most `at_most` of its
/// videos; how many it took it off (errc::not_found when there was neither).
caf::result<uint64_t> delete_category(catalog& db, const std::string& slug, size_t at_most);
/// Takes the category off at most `at_most` more videos; how many.
caf::result<uint64_t> unfile_category(catalog& db, const std::string& slug, size_t at_most);

caf::result<playlist> create_playlist(catalog& db, const principal& who, playlist p);
caf::result<playlist> get_playlist(catalog& db, const std::string& id);
caf::result<std::vector<playlist>> list_playlists(catalog& db, const principal& who, const std::string& owner,
                                                  const std::string& cursor, uint32_t limit);
caf::result<playlist> edit_playlist(catalog& db, const principal& who, const std::string& id,
                                    playlist_patch p);
caf::result<caf::ok_atom> delete_playlist(catalog& db, const principal& who, const std::string& id);

/// A playlist's videos in its order that also pass the rest of `q`; the
/// cursor is the position to go on from.
caf::result<video_page> playlist_videos(catalog& db, const video_query& q);

/// Why a video cannot be put in category `slug` within `txn` (it does not
/// exist), or nothing when it can; an empty slug takes a video out.
caf::error refuse_category(record_txn& txn, const std::string& slug);

}  // namespace sg::catalogue_records
