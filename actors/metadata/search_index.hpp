#pragma once
// The inverted index kept in the "search" column family. Keys:
//   t\0<order>            every video, newest first
//   w\0<term>\0<order>    a word of title, description or tags
//   g\0<tag>\0<order>     an exact tag (lowercased)
//   o\0<owner>\0<order>   an owner
//   c\0<slug>\0<order>    a category
//   p\0<owner>\0<order>   a playlist of an owner (public or unlisted)
//   P\0<order>            a public playlist
// where <order> = 16 hex digits of (2^64-1 - created_ms) followed by the id,
// so ascending key order is newest first and the order key is the cursor.
#include <cstdint>
#include <string>
#include <vector>

#include "messages/catalogue.hpp"
#include "messages/video.hpp"

namespace sg::search {

/// Lowercased ASCII words; bytes >= 0x80 (UTF-8) stay inside words.
std::vector<std::string> tokenize(const std::string& text);

std::string order_key(int64_t created_ms, const std::string& video_id);
bool is_order_key(const std::string& s);
std::string id_of_order_key(const std::string& order);

/// Every index key a video owns (sorted, unique).
std::vector<std::string> index_keys(const video& v);

/// A query with its words split: all `terms` must match whole words, and
/// `prefix` (the last word typed) must start some word.
struct parsed_query {
  std::vector<std::string> terms;
  std::string prefix;
  std::string tag;
  std::string owner;
  std::string category;
  std::vector<video_status> status;  // empty: any
};
parsed_query parse(const video_query& q);

/// The exact test every candidate passes, whatever index found it.
bool matches(const video& v, const parsed_query& q);

/// Key prefixes of the posting lists.
std::string all_prefix();
std::string word_prefix(const std::string& term);
std::string tag_prefix(const std::string& tag);
std::string owner_prefix(const std::string& owner);
std::string category_prefix(const std::string& slug);
std::string playlist_owner_prefix(const std::string& owner);
std::string public_playlists_prefix();

/// Every index key a playlist owns: its owner's list, and the public list.
std::vector<std::string> index_keys(const playlist& p);

std::string normalize_tag(const std::string& tag);

}  // namespace sg::search
