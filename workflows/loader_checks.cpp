// The loader's checks over the whole definition: what may go to whom, and the graph.

#include <algorithm>
#include <set>

#include "workflows/loader_impl.hpp"

namespace pathways::workflows::internal {

// A route may send a category only when the party may receive it, and never a sensitive
// category to an external party.
void Loader::CheckRoute(const std::string& party_id, const std::string& category,
                        const YAML::Mark& mark) {
  const definition::Party* party = nullptr;
  for (const auto& p : def_.parties) {
    if (p.id == party_id) party = &p;
  }
  if (party == nullptr) return;
  const definition::DataCategory* cat = nullptr;
  for (const auto& c : def_.categories) {
    if (c.id == category) cat = &c;
  }
  if (cat != nullptr && cat->sensitive && party->external) {
    Error(mark, "category `" + category + "` is sensitive and never goes to the external party `" +
                    party_id + "`");
  } else if (std::find(party->categories.begin(), party->categories.end(), category) ==
             party->categories.end()) {
    Error(mark, "party `" + party_id + "` may not receive category `" + category +
                    "` (its categories: " + Join(party->categories) + ")");
  }
}

void Loader::CheckPartyCategories() {
  for (const auto& p : def_.parties) {
    if (!p.external) continue;
    for (const auto& c : p.categories) {
      for (const auto& cat : def_.categories) {
        if (cat.id == c && cat.sensitive) {
          Error(party_category_marks_[p.id + "/" + c],
                "category `" + c + "` is sensitive and never goes to the external party `" + p.id +
                    "`");
        }
      }
    }
  }
}

void Loader::CheckConsents() {
  for (const auto& party : def_.parties) {
    if (party.consent.empty()) continue;
    bool sealed = false;
    for (const auto& t : def_.transitions) {
      for (const auto& p : t.payload) {
        sealed = sealed || (p.id == party.consent && p.personal == "special" &&
                            p.type == DataField::Type::kBoolean);
      }
    }
    if (!sealed) {
      Error(party_consent_marks_[party.id],
            "party " + party.id + ": consent `" + party.consent +
                "` must be a yes/no payload field sealed `personal: special` (who consented "
                "to a union hearing of them tells of membership)");
    }
  }
}

std::string Loader::Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "none" : out;
}

void Loader::CheckGraph() {
  if (def_.initial.empty()) return;
  std::set<std::string> reached = {def_.initial};
  std::vector<std::string> frontier = {def_.initial};
  while (!frontier.empty()) {
    const std::string s = frontier.back();
    frontier.pop_back();
    for (const auto& t : def_.transitions) {
      if (std::find(t.from.begin(), t.from.end(), s) != t.from.end() && !t.to.empty() &&
          reached.insert(t.to).second) {
        frontier.push_back(t.to);
      }
    }
  }
  for (const auto& s : def_.states) {
    // With a transition's states misnamed, "cannot be reached" would only echo that error.
    if (!reached.count(s.id) && !graph_incomplete_) {
      Error(state_marks_[s.id], "state " + s.id + " cannot be reached from " + def_.initial);
    }
    bool has_exit = false;  // a transition that leaves the state
    bool has_any = false;   // any transition from it, staying or leaving
    for (const auto& t : def_.transitions) {
      if (std::find(t.from.begin(), t.from.end(), s.id) == t.from.end()) continue;
      has_any = true;
      has_exit = has_exit || (!t.to.empty() && t.to != s.id);
    }
    if (!s.terminal && !has_exit) {
      Error(state_marks_[s.id], "state " + s.id +
                                    " has no way out; add a transition from it or mark it "
                                    "`terminal: true`");
    }
    if (s.terminal && has_any) {
      Error(state_marks_[s.id], "state " + s.id + " is terminal but has transitions out of it");
    }
  }
}

}  // namespace pathways::workflows::internal
