#pragma once
// Pages from Mustache templates (adapters/web/templates, embedded at build time; Debian's
// kainjow-mustache, as the email templates): every {{value}} is HTML-escaped, and the model is
// plain JSON, so a page's data is built and tested without the template library.
//
// Thread-safe: each thread keeps its own parsed templates.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/web/messages.hpp"

namespace pathways::web {

// Renders templates/`name`.mustache with `model`; the language's messages are `t`
// ({{t.sign_in}}). null, false, empty lists and empty texts are false in a section. Unknown
// templates are a defect: an empty string (the tests render each).
std::string RenderTemplate(std::string_view name, const nlohmann::json& model, Lang lang);
// Every template's name: the pages', and the partials (`_NAME`, included as {{> _NAME}}).
std::vector<std::string> TemplateNames();
// Whether templates/`name`.mustache exists and parses; the parse error otherwise.
std::string TemplateError(std::string_view name);

}  // namespace pathways::web
