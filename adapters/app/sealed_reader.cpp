// The report's reader of sealed items from the store (reports.hpp): a row's special-category
// items from the copy kept beside the report rows, its other sealed items (and those of rows
// written before copies were kept) from the event that sealed them; each thread keeps the last
// part it opened, which answers the row's other items, and walks the kept copies in key order.

#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/app/reports.hpp"

namespace pathways::app {

SealedReader StoreSealedReader(const Store& store) {
  // The items of one entry record are sealed in one part: a row's fields are asked for one
  // after another (on one thread), so each thread's last part opened answers the rest.
  struct Last {
    std::string pathway;
    std::uint64_t version = 0;
    std::vector<RevealedPersonal> parts;
    // The thread's walk over the kept copies (rows come in key order): from its first read.
    std::unique_ptr<KeptSpecialReader> kept;
  };
  struct PerThread {
    std::mutex mu;
    std::map<std::thread::id, std::shared_ptr<Last>> last;
  };
  auto threads = std::make_shared<PerThread>();
  return [&store, threads](const runtime::PathwayState& row,
                           const std::string& field) -> std::optional<nlohmann::json> {
    const std::size_t dot = field.find('.');
    if (dot == std::string::npos) return std::nullopt;
    std::string_view scope = std::string_view(field).substr(0, dot);
    const std::string name = field.substr(dot + 1);
    auto version = row.personal_at.find(field);
    // Definitions before the special scope (AMIGO 1 to 3) sealed ESF's sensitive items with
    // the identity: a row recorded under one is read there.
    if (version == row.personal_at.end() && scope == PersonalScopeName(PersonalScope::kSpecial)) {
      scope = PersonalScopeName(PersonalScope::kIdentity);
      version = row.personal_at.find(std::string(scope) + "." + name);
    }
    if (version == row.personal_at.end()) return std::nullopt;
    std::shared_ptr<Last> last;
    {
      std::lock_guard lock(threads->mu);
      auto& mine = threads->last[std::this_thread::get_id()];
      if (mine == nullptr) mine = std::make_shared<Last>();
      last = mine;
    }
    if (last->pathway != row.pathway_id || last->version != version->second) {
      last->pathway = row.pathway_id;
      last->version = version->second;
      last->parts.clear();
      if (scope == PersonalScopeName(PersonalScope::kSpecial)) {
        if (last->kept == nullptr) {
          Result<std::unique_ptr<KeptSpecialReader>> reader = store.KeptSpecialInOrder();
          if (!reader.ok()) return std::nullopt;
          last->kept = std::move(*reader);
        }
        Result<std::optional<RevealedPersonal>> kept =
            last->kept->Read(row.participant_id, row.pathway_id, version->second);
        if (kept.ok() && kept->has_value()) last->parts.push_back(std::move(**kept));
      }
      if (last->parts.empty()) {  // none kept, or unreadable: the event is what counts
        Result<StreamPage> page = store.ReadStream(row.pathway_id, version->second, 1);
        if (!page.ok() || page->events.empty()) return std::nullopt;
        Result<std::vector<RevealedPersonal>> parts = store.RevealPersonal(page->events.front());
        if (!parts.ok()) return std::nullopt;
        last->parts = std::move(*parts);
      }
    }
    for (const RevealedPersonal& part : last->parts) {
      if (PersonalScopeName(part.scope) != scope || !part.fields) continue;
      if (const auto v = part.fields->find(name); v != part.fields->end()) return *v;
    }
    return std::nullopt;
  };
}

}  // namespace pathways::app
