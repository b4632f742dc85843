#pragma once
// JSON forms of the catalogue's records: stored as written here, and the API's
// bodies (the gateway adds its RFC 3339 times).
#include <nlohmann/json.hpp>

#include "messages/catalogue.hpp"

namespace sg {

void to_json(nlohmann::json& j, const category& c);
void from_json(const nlohmann::json& j, category& c);

void to_json(nlohmann::json& j, const playlist& p);
void from_json(const nlohmann::json& j, playlist& p);

}  // namespace sg
