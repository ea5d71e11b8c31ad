#pragma once
// JSON as Mustache data (kainjow/mustache), for the notices' and the pages' templates alike.

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

namespace pathways::adapters {

// Objects and lists as sections, texts and numbers as values. False, null and an empty text
// are false, so {{#reason}}…{{/reason}} shows nothing for none (as in mustache.js); as values
// they render as nothing.
kainjow::mustache::data ToMustacheData(const nlohmann::json& j);

}  // namespace pathways::adapters
