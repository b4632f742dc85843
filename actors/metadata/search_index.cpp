#include "actors/metadata/search_index.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace sg::search {

namespace {
constexpr size_t max_word = 64;
const std::string sep(1, '\0');

bool word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c >= 0x80;
}
unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
std::set<std::string> words_of(const video& v) {
  std::set<std::string> words;
  for (const auto* text : {&v.title, &v.description})
    for (auto& w : tokenize(*text))
      words.insert(std::move(w));
  for (const auto& tag : v.tags)
    for (auto& w : tokenize(tag))
      words.insert(std::move(w));
  return words;
}
}  // namespace

std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && cur.size() <= max_word)
      out.push_back(cur);
    cur.clear();
  };
  for (unsigned char c : text) {
    if (word_byte(c))
      cur += static_cast<char>(lower(c));
    else
      flush();
  }
  flush();
  return out;
}

std::string normalize_tag(const std::string& tag) {
  std::string out;
  for (unsigned char c : tag)
    out += static_cast<char>(lower(c));
  return out;
}

std::string order_key(int64_t created_ms, const std::string& video_id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(UINT64_MAX - static_cast<uint64_t>(created_ms)));
  return std::string{buf} + video_id;
}

bool is_order_key(const std::string& s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string id_of_order_key(const std::string& order) {
  return order.substr(16);
}

std::string all_prefix() { return "t" + sep; }
std::string word_prefix(const std::string& term) { return "w" + sep + term + sep; }
std::string tag_prefix(const std::string& tag) { return "g" + sep + tag + sep; }
std::string owner_prefix(const std::string& owner) { return "o" + sep + owner + sep; }
std::string category_prefix(const std::string& slug) { return "c" + sep + slug + sep; }
std::string playlist_owner_prefix(const std::string& owner) { return "p" + sep + owner + sep; }
std::string public_playlists_prefix() { return "P" + sep; }

std::vector<std::string> index_keys(const playlist& p) {
  auto order = order_key(p.created_ms, p.id);
  std::vector<std::string> keys{playlist_owner_prefix(p.owner) + order};
  if (p.visibility == playlist_visibility::is_public)
    keys.push_back(public_playlists_prefix() + order);
  return keys;
}

std::vector<std::string> index_keys(const video& v) {
  auto order = order_key(v.created_ms, v.id);
  std::set<std::string> keys{all_prefix() + order};
  for (const auto& w : words_of(v))
    keys.insert(word_prefix(w) + order);
  for (const auto& tag : v.tags)
    if (tag.find('\0') == std::string::npos)
      keys.insert(tag_prefix(normalize_tag(tag)) + order);
  if (!v.owner.empty())
    keys.insert(owner_prefix(v.owner) + order);
  if (!v.category.empty())
    keys.insert(category_prefix(v.category) + order);
  return {keys.begin(), keys.end()};
}

parsed_query parse(const video_query& q) {
  parsed_query out;
  out.terms = tokenize(q.q);
  if (!out.terms.empty()) {
    out.prefix = out.terms.back();
    out.terms.pop_back();
  }
  out.tag = normalize_tag(q.tag);
  out.owner = q.owner;
  out.category = q.category;
  out.status = q.status;
  return out;
}

bool matches(const video& v, const parsed_query& q) {
  if (!q.status.empty() && std::find(q.status.begin(), q.status.end(), v.status) == q.status.end())
    return false;
  if (!q.owner.empty() && v.owner != q.owner)
    return false;
  if (!q.category.empty() && v.category != q.category)
    return false;
  if (!q.tag.empty() && std::none_of(v.tags.begin(), v.tags.end(), [&](const std::string& t) {
        return normalize_tag(t) == q.tag;
      }))
    return false;
  if (q.terms.empty() && q.prefix.empty())
    return true;
  auto words = words_of(v);
  for (const auto& t : q.terms)
    if (words.count(t) == 0)
      return false;
  if (q.prefix.empty())
    return true;
  auto it = words.lower_bound(q.prefix);
  return it != words.end() && it->compare(0, q.prefix.size(), q.prefix) == 0;
}

}  // namespace sg::search
