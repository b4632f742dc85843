#include "messages/registry.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

namespace sg {

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::streamgate>();
  cfg.add_error_category(error_category,
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           auto text = to_string(static_cast<errc>(code));
                           return ctx.empty() ? text : text + ": " + to_string(ctx);
                         });
}

}  // namespace sg
