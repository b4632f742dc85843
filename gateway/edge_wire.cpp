#include "gateway/edge_wire.hpp"

#include <unistd.h>

#include <boost/beast/http/status.hpp>

#include "gateway/problem.hpp"
#include "runtime/ids.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

// A file this small goes out in the head's own write (one writev, one
// packet) instead of a second call with sendfile.
constexpr uint64_t inline_file_bytes = 64 * 1024;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes become bytes; a malformed escape stays as it is.
std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < s.size() && (hi = hex_digit(s[i + 1])) >= 0 && (lo = hex_digit(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string reason(int status) {
  auto known = boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(static_cast<unsigned>(status)));
  return known == "<unknown-status>" ? status_title(status) : std::string(known);
}

bool framing_header(const std::string& name) {
  return text::iequals(name, "Content-Length") || text::iequals(name, "Transfer-Encoding") ||
         text::iequals(name, "Connection");
}

// A header value never carries a line break onto the wire (response splitting).
void append_header(std::string& head, const std::string& name, const std::string& value) {
  head += name;
  head += ": ";
  for (char c : value)
    if (c != '\r' && c != '\n')
      head += c;
  head += "\r\n";
}

std::string status_line(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
}

std::string head_of(const httplib::Response& res, int status, const std::string* content_type,
                    std::optional<uint64_t> length, bool keep_alive, bool http10) {
  std::string head = status_line(status);
  for (const auto& [name, value] : res.headers)
    if (!framing_header(name) && !(content_type && text::iequals(name, "Content-Type")))
      append_header(head, name, value);
  if (content_type)
    append_header(head, "Content-Type", *content_type);
  if (length)
    head += "Content-Length: " + std::to_string(*length) + "\r\n";
  if (!keep_alive)
    head += "Connection: close\r\n";
  else if (http10)
    head += "Connection: keep-alive\r\n";
  head += "\r\n";
  return head;
}

answer_piece file_range(uint64_t first, uint64_t length) {
  answer_piece p;
  p.file = true;
  p.file_offset = first;
  p.file_left = length;
  return p;
}

// Reads a small range into `into`; false if the file came up short.
bool read_into(std::string& into, int fd, uint64_t first, uint64_t length) {
  auto had = into.size();
  into.resize(had + length);
  uint64_t done = 0;
  while (done < length) {
    auto n = ::pread(fd, into.data() + had + done, length - done, static_cast<off_t>(first + done));
    if (n <= 0)
      return false;
    done += static_cast<uint64_t>(n);
  }
  return true;
}

std::string content_range(const byte_range& r, uint64_t size) {
  return "bytes " + std::to_string(r.first) + "-" + std::to_string(r.first + r.length - 1) + "/" +
         std::to_string(size);
}

// 200 with the file, 206 with one range, 206 multipart/byteranges with several.
answer_plan plan_file(exchange& x, bool head_only, bool keep_alive, bool http10) {
  answer_plan plan;
  plan.file = std::move(x.file);
  const auto& f = *plan.file;
  std::vector<answer_piece> body;
  std::string type = f.content_type;
  uint64_t length = 0;
  if (f.ranges.size() <= 1) {
    auto r = f.ranges.empty() ? byte_range{0, f.size} : f.ranges.front();
    if (!f.ranges.empty())
      x.res.set_header("Content-Range", content_range(r, f.size));
    body.push_back(file_range(r.first, r.length));
    length = r.length;
  } else {
    auto boundary = random_hex(12);
    type = "multipart/byteranges; boundary=" + boundary;
    for (const auto& r : f.ranges) {
      answer_piece part;
      part.text = "--" + boundary + "\r\nContent-Type: " + f.content_type + "\r\nContent-Range: " +
                  content_range(r, f.size) + "\r\n\r\n";
      length += part.text.size() + r.length + 2;
      body.push_back(std::move(part));
      body.push_back(file_range(r.first, r.length));
      body.push_back(answer_piece{"\r\n"});
    }
    body.push_back(answer_piece{"--" + boundary + "--\r\n"});
    length += body.back().text.size();
  }
  plan.pieces.push_back(answer_piece{head_of(x.res, x.res.status, &type, length, keep_alive, http10)});
  if (head_only)
    return plan;
  if (body.size() == 1 && length <= inline_file_bytes &&
      read_into(plan.pieces.front().text, f.fd, body.front().file_offset, length))
    return plan;
  plan.pieces.insert(plan.pieces.end(), body.begin(), body.end());
  return plan;
}

}  // namespace

void split_target(const std::string& target, std::string& path, httplib::Params& params) {
  auto q = target.find('?');
  path = percent_decode(std::string_view(target).substr(0, q), false);
  if (q == std::string::npos)
    return;
  std::string_view query = std::string_view(target).substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      params.emplace(percent_decode(pair.substr(0, eq), true),
                     eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
}

answer_plan plan_answer(exchange& x, bool keep_alive, bool http10) {
  int status = x.res.status < 100 || x.res.status > 999 ? 500 : x.res.status;
  x.res.status = status;
  bool head_only = x.req.method == "HEAD";
  if (x.file)
    return plan_file(x, head_only, keep_alive, http10);
  answer_plan plan;
  bool bodiless = status < 200 || status == 204 || status == 304;
  auto length = bodiless ? std::nullopt : std::optional<uint64_t>(x.res.body.size());
  plan.pieces.push_back(answer_piece{head_of(x.res, status, nullptr, length, keep_alive, http10)});
  if (!head_only && !bodiless)
    plan.pieces.front().text += x.res.body;
  return plan;
}

answer_plan plan_refusal(int status, std::string body) {
  answer_plan plan;
  std::string head = status_line(status);
  append_header(head, "Content-Type", "application/problem+json");
  if (status == 503)
    append_header(head, "Retry-After", "1");
  head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  plan.pieces.push_back(answer_piece{head + body});
  return plan;
}

std::string chunked_head(const exchange& x, bool keep_alive) {
  std::string head = status_line(x.res.status);
  for (const auto& [name, value] : x.res.headers)
    if (!framing_header(name))
      append_header(head, name, value);
  head += "Transfer-Encoding: chunked\r\n";
  if (!keep_alive)
    head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

std::string as_chunk(const char* data, size_t n) {
  char size[24];
  int len = std::snprintf(size, sizeof size, "%zx\r\n", n);
  std::string chunk;
  chunk.reserve(static_cast<size_t>(len) + n + 2);
  chunk.append(size, static_cast<size_t>(len));
  chunk.append(data, n);
  chunk += "\r\n";
  return chunk;
}

}  // namespace sg
