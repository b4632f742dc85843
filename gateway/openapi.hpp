#pragma once
// The OpenAPI 3.1 description of every route (gateway/openapi.json, built
// into the binary): served at /api/v1/openapi.json, and checked by
// unit.openapi against the route table and by e2e.openapi against real
// responses, so it cannot drift from the code.
#include <string_view>

namespace sg {
std::string_view openapi_document();
}
