#pragma once
// A pathway's states and transitions drawn as a diagram for the administrator's page: SVG laid
// out by Graphviz's dot (Debian's libgvc), rendered on the server, so the browser needs
// nothing but the picture. The transitions table beside it on the page is its text
// alternative, and holds what the drawing leaves out (transitions that stay in their state).
//
// Thread-safe: Graphviz is not, so one drawing is made at a time; each definition version is
// drawn once per language and kept (definitions never change once loaded).

#include <string>

#include "adapters/web/messages.hpp"
#include "engine/definition/definition.hpp"

namespace pathways::web {

// The <svg> element of `def`'s state machine with its labels in `lang`; "" when Graphviz
// could not draw it (logged).
std::string StateDiagram(const definition::Definition& def, Lang lang);

}  // namespace pathways::web
