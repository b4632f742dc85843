#pragma once
// JSON forms of the contract types: the stored records and the API bodies.
#include <nlohmann/json_fwd.hpp>

#include "messages/job.hpp"
#include "messages/upload.hpp"
#include "messages/video.hpp"

namespace sg {

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
