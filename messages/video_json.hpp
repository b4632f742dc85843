#pragma once
// JSON forms of the contract types: the stored records and the API bodies.
#include <nlohmann/json.hpp>

#include "messages/job.hpp"
#include "messages/upload.hpp"
#include "messages/video.hpp"

namespace sg {

/// A state is its one stable name; an unknown name in a stored record reads
/// as the state's first value (records outlive versions).
template <class E, class = decltype(state_names<E>::names)>
void to_json(nlohmann::json& j, const E& x) {
  j = to_string(x);
}
template <class E, class = decltype(state_names<E>::names)>
void from_json(const nlohmann::json& j, E& x) {
  x = j.is_string() ? parse_state<E>(j.get_ref<const std::string&>()).value_or(E{}) : E{};
}

void to_json(nlohmann::json& j, const rendition& r);
void from_json(const nlohmann::json& j, rendition& r);
void to_json(nlohmann::json& j, const source_info& s);
void from_json(const nlohmann::json& j, source_info& s);

void to_json(nlohmann::json& j, const gate& g);
void from_json(const nlohmann::json& j, gate& g);

void to_json(nlohmann::json& j, const video& v);
void from_json(const nlohmann::json& j, video& v);

void to_json(nlohmann::json& j, const job_info& x);
void from_json(const nlohmann::json& j, job_info& x);

void to_json(nlohmann::json& j, const upload_info& u);
void from_json(const nlohmann::json& j, upload_info& u);

}  // namespace sg
