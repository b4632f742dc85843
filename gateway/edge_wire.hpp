#pragma once
// How the edge's requests and answers look on the wire, apart from parsing
// (Beast's): the target split into path and query, and an answer laid out
// as pieces — text for writev, ranges of a file for sendfile.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "gateway/edge.hpp"

namespace sg {

struct answer_piece {
  std::string text;  // sent as is, unless this piece is a range of the answer's file
  bool file = false;
  uint64_t file_offset = 0;
  uint64_t file_left = 0;
  bool is_file() const { return file; }
};

struct answer_plan {
  std::vector<answer_piece> pieces;
  std::shared_ptr<file_body> file;
};

/// "/a%20b?x=1&y" -> path "/a b", params {x: 1, y: ""} ('+' is a space in the query only).
void split_target(const std::string& target, std::string& path, httplib::Params& params);

/// The answer to x (taking its body or file): status line, headers,
/// Content-Length, Connection, then the body unless the request was a HEAD.
answer_plan plan_answer(exchange& x, bool keep_alive, bool http10);

/// A problem+json answer the edge writes itself; the connection closes after it.
answer_plan plan_refusal(int status, std::string body);

/// The head of an answer whose body follows in chunks, and one chunk.
std::string chunked_head(const exchange& x, bool keep_alive);
std::string as_chunk(const char* data, size_t n);

}  // namespace sg
