#pragma once
// Answers everyone who waited on the same piece of work with its one result.
#include <vector>

#include <caf/expected.hpp>
#include <caf/typed_response_promise.hpp>

namespace sg {

template <class T>
void deliver_all(std::vector<caf::typed_response_promise<T>>& waiting, const caf::expected<T>& result) {
  for (auto& rp : waiting) {
    if (result)
      rp.deliver(*result);
    else
      rp.deliver(result.error());
  }
  waiting.clear();
}

}  // namespace sg
