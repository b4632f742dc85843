#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runtime/config.hpp"

using namespace sg;

namespace {
struct env_guard {
  explicit env_guard(std::vector<std::pair<const char*, const char*>> vars) {
    for (auto& [k, v] : vars) {
      names.push_back(k);
      setenv(k, v, 1);
    }
  }
  ~env_guard() {
    for (auto* k : names)
      unsetenv(k);
  }
  std::vector<const char*> names;
};

std::string write_config(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / "sg-config-test.toml";
  std::ofstream{path} << text;
  return path.string();
}
}  // namespace

BOOST_AUTO_TEST_CASE(defaults) {
  auto r = parse_node_config({});
  BOOST_REQUIRE(r.run);
  BOOST_TEST(r.config.data_dir == "./data");
  BOOST_TEST(r.config.http.host == "127.0.0.1");
  BOOST_TEST(r.config.http.port == 8080);
  BOOST_TEST(r.config.roles.empty());
  BOOST_TEST(r.config.has_role("upload"));
  BOOST_TEST(r.config.upload.expiry_s == 86400);
  BOOST_TEST(r.config.upload.data_dir == "./data");
}

BOOST_AUTO_TEST_CASE(file_then_environment_then_flags) {
  auto file = write_config("http-port = 9001\ndata-dir = \"/from/file\"\n"
                           "http-host = \"0.0.0.0\"\nupload-expiry = 60\n");
  {
    auto r = parse_node_config({"--config", file});
    BOOST_TEST(r.config.http.port == 9001);
    BOOST_TEST(r.config.data_dir == "/from/file");
    BOOST_TEST(r.config.upload.data_dir == "/from/file");
    BOOST_TEST(r.config.upload.expiry_s == 60);
  }
  env_guard env{{{"STREAMGATE_HTTP_PORT", "9002"}, {"STREAMGATE_DATA_DIR", "/from/env"}}};
  {
    auto r = parse_node_config({"--config", file});
    BOOST_TEST(r.config.http.port == 9002);  // environment beats the file
    BOOST_TEST(r.config.data_dir == "/from/env");
    BOOST_TEST(r.config.http.host == "0.0.0.0");  // the file still fills the rest
  }
  {
    auto r = parse_node_config({"--config", file, "--http-port", "9003"});
    BOOST_TEST(r.config.http.port == 9003);  // flags beat everything
    BOOST_TEST(r.config.data_dir == "/from/env");
  }
  {
    auto r = parse_node_config({"--http-port=9004"});
    BOOST_TEST(r.config.http.port == 9004);
  }
}

BOOST_AUTO_TEST_CASE(roles_from_flag_and_environment) {
  auto r = parse_node_config({"--roles", "gateway,metadata"});
  BOOST_TEST(r.config.has_role("gateway"));
  BOOST_TEST(!r.config.has_role("upload"));
  env_guard env{{{"STREAMGATE_ROLES", "upload"}}};
  BOOST_TEST(parse_node_config({}).config.has_role("upload"));
  BOOST_TEST(!parse_node_config({}).config.has_role("gateway"));
}

BOOST_AUTO_TEST_CASE(bad_values_are_reported_not_run) {
  auto unknown_role = parse_node_config({"--roles", "gateway,teleport"});
  BOOST_TEST(!unknown_role.run);
  BOOST_TEST(unknown_role.exit_code != 0);
  BOOST_TEST(!parse_node_config({"--http-port", "70000"}).run);
  BOOST_TEST(!parse_node_config({"--no-such-flag"}).run);
  auto help = parse_node_config({"--help"});
  BOOST_TEST(!help.run);
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(help.message.find("--data-dir") != std::string::npos);
}
