# Writes OUT, a C++ file whose function NAME returns the text of IN as it was
# at build time (the OpenAPI document: one file in the tree, served as is).
file(READ "${IN}" content)
string(FIND "${content}" ")sg_embedded\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string's delimiter")
endif()
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed_text.cmake; do not edit.\n#include <string_view>\n\nnamespace sg {\nstd::string_view ${NAME}() {\n  static constexpr char text[] = R\"sg_embedded(${content})sg_embedded\";\n  return {text, sizeof text - 1};\n}\n}  // namespace sg\n")
