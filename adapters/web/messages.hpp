#pragma once
// The workspace's words: every text a page shows comes from a message file
// (adapters/web/messages/da.yaml and en.yaml, embedded at build time), Danish by default.
//
// Thread-safe: read-only after the first use.

#include <map>
#include <string>
#include <string_view>

namespace pathways::web {

enum class Lang { kDa, kEn };
std::string_view LangCode(Lang lang);  // "da", "en"
// "en" is English; anything else is Danish.
Lang ParseLang(std::string_view code);

using MessageTable = std::map<std::string, std::string, std::less<>>;

// Every message of a language, key -> text.
const MessageTable& Messages(Lang lang);
// One message with `{name}` placeholders filled in; the key itself when there is none (a test
// keeps every key in both files).
std::string Message(Lang lang, std::string_view key,
                    std::initializer_list<std::pair<std::string_view, std::string>> args = {});

}  // namespace pathways::web
