#include "gateway/route_table.hpp"

namespace sg {

namespace {

bool is_param(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_rest(std::string_view s) { return is_param(s) && s[s.size() - 2] == '*'; }

// Walks the '/'-separated segments of a path (after its leading '/').
class segment_walk {
public:
  explicit segment_walk(std::string_view path) : path_(path), valid_(!path.empty() && path[0] == '/') {}
  bool next(std::string_view& seg) {
    if (!valid_ || pos_ > path_.size())
      return false;
    auto slash = path_.find('/', pos_ + 1);
    auto end = slash == std::string_view::npos ? path_.size() : slash;
    seg = path_.substr(pos_ + 1, end - pos_ - 1);
    rest_ = path_.substr(pos_ + 1);
    pos_ = slash == std::string_view::npos ? path_.size() + 1 : slash;
    return true;
  }
  /// Everything from the start of the segment last returned.
  std::string_view rest() const { return rest_; }

private:
  std::string_view path_;
  bool valid_;
  size_t pos_ = 0;
  std::string_view rest_;
};

}  // namespace

const route_spec& route_table::add(route_spec r) {
  r.label = r.pattern;
  if (auto star = r.label.find("*}"); star != std::string::npos)
    r.label.erase(star, 1);
  routes_.push_back(std::move(r));
  return routes_.back();
}

std::string route_spec::regex() const {
  std::string out;
  segment_walk walk{pattern};
  for (std::string_view seg; walk.next(seg);) {
    out += '/';
    if (is_rest(seg)) {
      out += R"(([\s\S]+))";  // "." would stop at a line break
    } else if (is_param(seg)) {
      out += "([^/]+)";
    } else {
      for (char c : seg) {
        if (c == '.')
          out += '\\';
        out += c;
      }
    }
  }
  return out;
}

bool route_spec::matches(std::string_view path) const {
  return walk(path, nullptr);
}

bool route_spec::captures(std::string_view path, std::vector<std::string>& out) const {
  out.assign(1, std::string(path));
  return walk(path, &out);
}

bool route_spec::walk(std::string_view path, std::vector<std::string>* out) const {
  segment_walk want{pattern};
  segment_walk got{path};
  std::string_view w;
  std::string_view g;
  while (want.next(w)) {
    if (!got.next(g))
      return false;
    if (is_rest(w)) {
      if (got.rest().empty())
        return false;  // one character or more, slashes too
      if (out != nullptr)
        out->emplace_back(got.rest());
      return true;
    }
    if (is_param(w) ? g.empty() : g != w)
      return false;
    if (is_param(w) && out != nullptr)
      out->emplace_back(g);
  }
  return !got.next(g);
}

const route_spec* route_table::find(std::string_view method, std::string_view path) const {
  if (method == "HEAD")
    method = "GET";
  for (const auto& r : routes_)
    if (r.method == method && r.matches(path))
      return &r;
  return nullptr;
}

}  // namespace sg
