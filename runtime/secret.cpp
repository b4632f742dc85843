#include "runtime/secret.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <sys/stat.h>

#include "runtime/ids.hpp"

namespace sg {

std::string load_or_create_secret(const std::string& data_dir, const std::string& configured) {
  if (!configured.empty())
    return configured;
  auto path = data_dir + "/secret";
  std::string secret;
  if (std::ifstream in{path}; in && std::getline(in, secret) && secret.size() >= 32)
    return secret;
  std::filesystem::create_directories(data_dir);
  secret = random_hex(32);
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << secret << "\n";
    if (!out)
      throw std::runtime_error("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, path);
  return secret;
}

}  // namespace sg
