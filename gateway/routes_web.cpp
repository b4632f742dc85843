// The web app (docs/architecture.md §Web app): the page at `/` and its files
// under /app/<version>/, all built into the binary (gateway/embedded_files.hpp).
// The version is a digest of every file, so the files are cached for a year
// and a new build is fetched at once; the page itself is revalidated. Each is
// gzipped once at start and sent so to clients that accept it.
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <zlib.h>

#include "gateway/embedded_files.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

// Only what the pages use: our scripts and styles, media and posters from
// this origin (MSE plays blob: URLs), API calls to this origin. No inline
// script or style, no eval, no frames, no plugins.
constexpr const char* content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string gzip(std::string_view text);

// One file as sent: as it is, and gzipped when first asked for so (30 ms
// for all of them: not on the node's start).
struct web_asset {
  web_asset(std::string b, const char* t) : body(std::move(b)), type(t) {}
  const std::string& gzipped() const {
    std::call_once(packing_, [this] { gzipped_ = gzip(body); });
    return gzipped_;
  }
  const std::string body;
  const char* const type;

private:
  mutable std::once_flag packing_;
  mutable std::string gzipped_;
};

// RFC 1952 gzip of `text`, at the best compression: done once per file.
std::string gzip(std::string_view text) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Accept-Encoding names gzip with a weight above zero ("gzip;q=0" refuses it).
bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto coding = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto semicolon = coding.find(';');
    if (!text::iequals(text::trim(coding.substr(0, semicolon)), "gzip"))
      continue;
    if (semicolon == std::string_view::npos)
      return true;
    auto weight = text::trim(coding.substr(semicolon + 1));
    if (weight.size() < 2 || (weight[0] != 'q' && weight[0] != 'Q') || weight[1] != '=')
      return true;
    return std::strtod(std::string(weight.substr(2)).c_str(), nullptr) > 0;
  }
  return false;
}

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

// index.html with its links to this build's files.
std::string page_of(const std::vector<embedded_file>& files, const std::string& version) {
  std::string html;
  for (const auto& f : files)
    if (f.name == "index.html")
      html = std::string(f.content);
  const std::string marker = "%BASE%", base = "/app/" + version;
  for (auto at = html.find(marker); at != std::string::npos; at = html.find(marker, at))
    html.replace(at, marker.size(), base);
  return html;
}

struct web_app {
  const std::string version = digest_of(web_app_files());
  const web_asset page{page_of(web_app_files(), version), "text/html; charset=utf-8"};
  std::map<std::string, web_asset, std::less<>> assets;

  web_app() {
    for (const auto& f : web_app_files())
      if (f.name != "index.html")
        assets.try_emplace(std::string(f.name), std::string(f.content), type_of(f.name));
  }
};

// The body in the client's encoding, with an ETag per encoding (RFC 9110:
// each representation has its own), or 304 when it has that one already.
void send(const web_app& app, const web_asset& asset, const httplib::Request& req, httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
  res.set_header("Vary", "Accept-Encoding");
  const bool packed = accepts_gzip(req.get_header_value("Accept-Encoding"));
  const auto etag = "\"" + app.version + (packed ? "-gz\"" : "\"");
  res.set_header("ETag", etag);
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  if (packed)
    res.set_header("Content-Encoding", "gzip");
  res.set_content(packed ? asset.gzipped() : asset.body, asset.type);
}

void serve_page(const web_app& app, const httplib::Request& req, httplib::Response& res) {
  res.set_header("Content-Security-Policy", content_security_policy);
  res.set_header("Cache-Control", "no-cache");
  send(app, app.page, req, res);
}

// A page of an older build asks for its version: it gets today's file,
// uncached, rather than a broken page.
void serve_asset(const web_app& app, const httplib::Request& req, httplib::Response& res) {
  const auto& version = path_param(1);
  auto asset = app.assets.find(path_param(2));
  if (asset == app.assets.end())
    return problem(res, 404, "no such file");
  res.set_header("Cache-Control", version == app.version ? "public, max-age=31536000, immutable" : "no-cache");
  send(app, asset->second, req, res);
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
