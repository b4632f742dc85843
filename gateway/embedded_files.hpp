#pragma once
// Files built into the binary (cmake/embed_files.cmake): the web app.
#include <string_view>
#include <vector>

namespace sg {

struct embedded_file {
  std::string_view name;     // flat: "app.js", "hls.min.js"
  std::string_view content;
};

/// The web app: web/ and its vendor files from node_modules (hls.js,
/// tus-js-client), as they were when the binary was built.
const std::vector<embedded_file>& web_app_files();

}  // namespace sg
