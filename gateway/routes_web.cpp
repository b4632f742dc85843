// The web app (docs/architecture.md §Web app): the page at `/` and its files
// under /app/<version>/, all built into the binary (gateway/embedded_files.hpp).
// The version is a digest of every file, so the files are cached for a year
// and a new build is fetched at once; the page itself is revalidated.
#include <map>
#include <string>

#include <openssl/evp.h>

#include "gateway/embedded_files.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"

namespace sg {

namespace {

// Only what the pages use: our scripts and styles, media and posters from
// this origin (MSE plays blob: URLs), API calls to this origin. No inline
// script or style, no eval, no frames, no plugins.
constexpr const char* content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct web_asset {
  std::string body;
  const char* type;
};

const char* type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  if (ends(".html"))
    return "text/html; charset=utf-8";
  return "application/octet-stream";
}

std::string digest_of(const std::vector<embedded_file>& files) {
  auto* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  for (const auto& f : files) {
    EVP_DigestUpdate(md, f.name.data(), f.name.size());
    EVP_DigestUpdate(md, "\0", 1);
    EVP_DigestUpdate(md, f.content.data(), f.content.size());
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(md, out, &len);
  EVP_MD_CTX_free(md);
  static constexpr char hex[] = "0123456789abcdef";
  std::string v;
  for (unsigned i = 0; i < 8; ++i) {
    v += hex[out[i] >> 4];
    v += hex[out[i] & 15];
  }
  return v;
}

struct web_app {
  std::string version;
  std::string page;                          // index.html, its links to this version
  std::map<std::string, web_asset, std::less<>> assets;

  web_app() {
    const auto& files = web_app_files();
    version = digest_of(files);
    for (const auto& f : files)
      assets.emplace(std::string(f.name), web_asset{std::string(f.content), type_of(f.name)});
    auto index = assets.find("index.html");
    if (index != assets.end()) {
      page = index->second.body;
      const std::string marker = "%BASE%", base = "/app/" + version;
      for (auto at = page.find(marker); at != std::string::npos; at = page.find(marker, at))
        page.replace(at, marker.size(), base);
    }
  }
};

void common_headers(httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
}

void serve_page(const web_app& app, const httplib::Request& req, httplib::Response& res) {
  common_headers(res);
  res.set_header("Content-Security-Policy", content_security_policy);
  res.set_header("Cache-Control", "no-cache");
  const auto etag = "\"" + app.version + "\"";
  res.set_header("ETag", etag);
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  res.set_content(app.page, "text/html; charset=utf-8");
}

// A page of an older build asks for its version: it gets today's file,
// uncached, rather than a broken page.
void serve_asset(const web_app& app, const httplib::Request& req, httplib::Response& res) {
  const auto& version = path_param(1);
  const auto& name = path_param(2);
  auto asset = app.assets.find(name);
  if (asset == app.assets.end() || name == "index.html")
    return problem(res, 404, "no such file");
  common_headers(res);
  const bool current = version == app.version;
  res.set_header("Cache-Control", current ? "public, max-age=31536000, immutable" : "no-cache");
  const auto etag = "\"" + app.version + "\"";
  res.set_header("ETag", etag);
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  res.set_content(asset->second.body, asset->second.type);
}

}  // namespace

void add_web_routes(router& r, const gateway_context&) {
  auto app = std::make_shared<const web_app>();
  r.get("/", "other", [app](const httplib::Request& req, httplib::Response& res) {
    serve_page(*app, req, res);
  });
  r.get("/app/{version}/{file}", "other", [app](const httplib::Request& req, httplib::Response& res) {
    serve_asset(*app, req, res);
  });
}

}  // namespace sg
