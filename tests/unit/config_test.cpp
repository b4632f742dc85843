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

BOOST_AUTO_TEST_CASE(a_single_node_is_not_clustered) {
  auto r = parse_node_config({});
  BOOST_TEST(r.run);
  BOOST_TEST(!r.config.cluster.enabled());
}

BOOST_AUTO_TEST_CASE(a_clustered_node_needs_its_certificates) {
  auto r = parse_node_config({"--etcd", "http://127.0.0.1:2379"});
  BOOST_TEST(!r.run);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.message.find("--certs-dir") != std::string::npos);
  auto dir = std::filesystem::temp_directory_path() / "sg-config-certs";
  std::filesystem::create_directories(dir);
  std::ofstream{dir / "ca.crt"} << "x";
  auto half = parse_node_config({"--etcd", "http://127.0.0.1:2379", "--certs-dir", dir.string()});
  BOOST_TEST(!half.run);
  BOOST_TEST(half.message.find("node.crt") != std::string::npos);
  std::ofstream{dir / "node.crt"} << "x";
  std::ofstream{dir / "node.key"} << "x";
  auto local_media = parse_node_config({"--etcd", "http://127.0.0.1:2379", "--certs-dir", dir.string()});
  BOOST_TEST(!local_media.run);  // a cluster's media is in S3
  BOOST_TEST(local_media.message.find("--media s3://") != std::string::npos);
  auto whole = parse_node_config({"--etcd", "http://127.0.0.1:2379", "--certs-dir", dir.string(),
                                  "--http-port", "8090", "--cluster-port", "9801",
                                  "--media", "s3://media?endpoint=http://127.0.0.1:4568"});
  BOOST_TEST(whole.run);
  BOOST_TEST(whole.config.cluster.advertise == "127.0.0.1:9801");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(cluster_settings_come_from_the_environment_and_are_checked) {
  {
    env_guard env{{{"STREAMGATE_ETCD", "http://a:2379,http://b:2379"}}};
    auto r = parse_node_config({});
    BOOST_TEST(r.config.cluster.etcd.size() == 2u);  // refused for want of certificates, parsed all the same
  }
  auto dir = std::filesystem::temp_directory_path() / "sg-config-certs2";
  std::filesystem::create_directories(dir);
  for (const char* file : {"ca.crt", "node.crt", "node.key"})
    std::ofstream{dir / file} << "x";
  std::vector<std::string> good{"--certs-dir", dir.string(), "--media", "s3://m?endpoint=http://s:1"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), good.begin(), good.end());
    return parse_node_config(args);
  };
  BOOST_TEST(with({"--etcd", "http://a:2379"}).run);
  BOOST_TEST(with({"--etcd", "a:2379"}).message.find("http(s)://") != std::string::npos);
  BOOST_TEST(with({"--etcd", "http://a:2379", "--cluster-name", "bad name"}).message.find("--cluster-name") !=
             std::string::npos);
  BOOST_TEST(with({"--etcd", "http://a:2379", "--etcd-cert", "c.pem"}).message.find("go together") !=
             std::string::npos);
  BOOST_TEST(parse_node_config({"--media", "/srv/media"}).message.find("s3://") != std::string::npos);
  std::filesystem::remove_all(dir);
}
