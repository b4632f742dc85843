#pragma once
// The states and kinds every service speaks of, as enums: CAF carries them as
// their underlying integer, JSON as one stable lower-case name each (the names
// below are the API and the stored form; never rename one).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg {

/// A video's lifecycle: uploading -> queued -> transcoding -> ready | failed.
enum class video_status : uint8_t { uploading, queued, transcoding, ready, failed };

/// A transcode job's: queued -> running -> succeeded | failed | cancelled.
enum class job_state : uint8_t { queued, running, succeeded, failed, cancelled };

/// An upload's: active (taking bytes) -> finished (a video) | expired.
enum class upload_state : uint8_t { active, finished, expired };

/// How a gate's rules combine.
enum class gate_mode : uint8_t { any, all };

/// What a gate rule's contract is; `detect` asks it (ERC-165), as "auto".
enum class token_standard : uint8_t { detect, erc721, erc1155 };

/// How a wallet signs in.
enum class sign_in_kind : uint8_t { siwe, eip191, eip712, solana };

/// Who finds a playlist: public ones are listed, unlisted ones open by id.
enum class playlist_visibility : uint8_t { is_public, unlisted };

/// What a player reports of a view.
enum class view_event_kind : uint8_t { start, heartbeat, end, rebuffer };

template <class E>
struct state_names;

template <>
struct state_names<video_status> {
  static constexpr std::array<std::string_view, 5> names{"uploading", "queued", "transcoding",
                                                         "ready", "failed"};
};
template <>
struct state_names<job_state> {
  static constexpr std::array<std::string_view, 5> names{"queued", "running", "succeeded",
                                                         "failed", "cancelled"};
};
template <>
struct state_names<upload_state> {
  static constexpr std::array<std::string_view, 3> names{"active", "finished", "expired"};
};
template <>
struct state_names<gate_mode> {
  static constexpr std::array<std::string_view, 2> names{"any", "all"};
};
template <>
struct state_names<token_standard> {
  static constexpr std::array<std::string_view, 3> names{"auto", "erc721", "erc1155"};
};
template <>
struct state_names<playlist_visibility> {
  static constexpr std::array<std::string_view, 2> names{"public", "unlisted"};
};
template <>
struct state_names<view_event_kind> {
  static constexpr std::array<std::string_view, 4> names{"start", "heartbeat", "end", "rebuffer"};
};
template <>
struct state_names<sign_in_kind> {
  static constexpr std::array<std::string_view, 4> names{"siwe", "eip191", "eip712", "solana"};
};

/// The one stable name of a state (CAF's to_string finds these too).
template <class E, class = decltype(state_names<E>::names)>
std::string to_string(E x) {
  return std::string{state_names<E>::names.at(static_cast<size_t>(x))};
}

/// The state a name stands for; nothing for any other text.
template <class E>
std::optional<E> parse_state(std::string_view name) {
  const auto& names = state_names<E>::names;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace sg
