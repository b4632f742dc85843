#define BOOST_TEST_MODULE openapi
#include <boost/test/unit_test.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "gateway/dispatch.hpp"
#include "gateway/middleware.hpp"
#include "gateway/openapi.hpp"
#include "gateway/router.hpp"
#include "gateway/routes.hpp"
#include "runtime/media_files.hpp"

using namespace sg;

namespace {

const nlohmann::json& document() {
  static const auto doc = nlohmann::json::parse(openapi_document());
  return doc;
}

// "GET /path/{param}" for every route the gateway registers.
std::set<std::string> served_routes() {
  gateway_context ctx;
  ctx.media = std::make_shared<media_files>("/nonexistent");
  auto table = std::make_shared<route_table>();
  dispatcher d{std::make_shared<middleware_chain>(), table};
  router r{d, *table};
  add_all_routes(r, ctx);
  std::set<std::string> out;
  for (const auto& spec : table->routes()) {
    auto path = spec.pattern;
    if (auto star = path.find("*}"); star != std::string::npos)
      path.erase(star, 1);  // {file*}: a tail of segments, written {file}
    out.insert(spec.method + " " + path);
  }
  return out;
}

std::set<std::string> described_routes() {
  std::set<std::string> out;
  for (const auto& [path, ops] : document().at("paths").items())
    for (const auto& [method, op] : ops.items())
      if (method != "parameters") {
        std::string m = method;
        for (auto& c : m)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.insert(m + " " + path);
      }
  return out;
}

// Every "$ref" inside `j`.
void refs_in(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items())
      if (key == "$ref" && value.is_string())
        out.push_back(value.get<std::string>());
      else
        refs_in(value, out);
  } else if (j.is_array()) {
    for (const auto& value : j)
      refs_in(value, out);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_route_is_described_and_nothing_else) {
  auto served = served_routes();
  auto described = described_routes();
  BOOST_TEST(served.size() > 40u);
  for (const auto& route : served)
    BOOST_TEST(described.count(route) == 1u, route << " is served but not described");
  for (const auto& route : described)
    BOOST_TEST(served.count(route) == 1u, route << " is described but not served");
}

BOOST_AUTO_TEST_CASE(every_operation_is_complete_and_every_reference_resolves) {
  const auto& doc = document();
  BOOST_TEST(doc.at("openapi").get<std::string>() == "3.1.0");
  std::set<std::string> ids;
  for (const auto& [path, ops] : doc.at("paths").items())
    for (const auto& [method, op] : ops.items()) {
      if (method == "parameters")
        continue;
      auto where = method + " " + path;
      BOOST_TEST(op.contains("operationId"), where);
      BOOST_TEST(ids.insert(op.value("operationId", where)).second, where << ": operationId used twice");
      BOOST_TEST(op.contains("summary"), where);
      BOOST_TEST((op.contains("responses") && !op.at("responses").empty()), where);
    }
  std::vector<std::string> refs;
  refs_in(doc, refs);
  BOOST_TEST(!refs.empty());
  for (const auto& ref : refs) {
    BOOST_TEST_REQUIRE(ref.rfind("#/", 0) == 0u, ref);
    BOOST_TEST(doc.contains(nlohmann::json::json_pointer(ref.substr(1))), ref << " does not resolve");
  }
}
