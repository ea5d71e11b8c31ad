// The definition's kind, and a company definition's code lists: its industries (DB07) and
// green-transition tags (docs/workflows.md, "Company definitions").

#include <algorithm>
#include <cctype>

#include "workflows/loader_impl.hpp"

namespace pathways::workflows::internal {
namespace {

// A DB07 code as Statistics Denmark writes it: 2, 3, 4 or 6 digits (section, main group,
// group, sub-group).
bool IsIndustryCode(const std::string& code) {
  const bool digits =
      std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return digits && (code.size() == 2 || code.size() == 3 || code.size() == 4 || code.size() == 6);
}

}  // namespace

void Loader::ReadKind(const YAML::Node& root) {
  if (root["kind"]) {
    const std::string kind = Str(root["kind"], "kind").value_or("participant");
    if (kind == "company") {
      def_.kind = definition::Kind::kCompany;
    } else if (kind != "participant") {
      Error(root["kind"].Mark(), "kind is `participant` (the default) or `company`, not `" + kind +
                                     "`" + DidYouMean(kind, {"participant", "company"}));
    }
  }
  if (def_.kind != definition::Kind::kCompany) {
    for (const char* key : {"industries", "green"}) {
      if (root[key]) {
        Error(root[key].Mark(),
              std::string("`") + key + "` belongs to a company's definition (`kind: company`)");
      }
    }
    return;
  }
  if (!root["industries"]) {
    Error(root.Mark(),
          "a company's definition needs `industries`: the DB07 codes its records may carry");
  } else {
    ReadCodeList(root["industries"], "industries", def_.industries);
  }
  if (root["green"]) ReadCodeList(root["green"], "green", def_.green_tags);
  for (const char* key : {"barriers", "target"}) {
    if (root[key]) {
      Error(root[key].Mark(),
            std::string("a company's definition has no `") + key + "`: they are a participant's");
    }
  }
}

void Loader::CheckCompanyParties(const YAML::Node& parties) {
  if (def_.kind != definition::Kind::kCompany) return;
  for (const definition::Party& party : def_.parties) {
    if (!party.external) continue;
    const YAML::Node n = parties[party.id];
    Error(n ? n.Mark() : parties.Mark(),
          "party " + party.id +
              " is external: a company's notices stay in the school (`external: false`)");
  }
}

void Loader::ReadCodeList(const YAML::Node& node, const std::string& what,
                          std::map<std::string, definition::Label>& out) {
  Keys ids;
  ForEachEntry(
      node, what, ids, [&](const std::string& code, const YAML::Mark& mark, const YAML::Node& n) {
        if (&out == &def_.industries && !IsIndustryCode(code)) {
          Error(mark, "industry `" + code +
                          "` is not a DB07 code (2, 3, 4 or 6 digits, as Statistics Denmark writes "
                          "them; quote it so a leading 0 stays)");
          return;
        }
        definition::Label label = Label(n, what + " " + code);
        RequireLabel(label, mark, what + " " + code);
        out[code] = std::move(label);
      });
  if (node && node.IsMap() && node.size() == 0) Error(node.Mark(), what + " lists no codes");
}

}  // namespace pathways::workflows::internal
