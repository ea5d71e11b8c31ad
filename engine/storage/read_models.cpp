// Reads of the rows kept beside the log: refusals kept for auditors. Each read is a prefix
// scan of one column family; none touches the log.

#include <nlohmann/json.hpp>

#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

Result<std::vector<Rejection>> RocksEventStore::Rejections(const std::string& pathway_id,
                                                           TimestampMs until,
                                                           std::size_t max) const {
  if (!IsValidId(pathway_id)) return Status::InvalidArgument("malformed pathway id");
  std::vector<Rejection> out;
  if (impl_->rejections == nullptr) return out;  // a read-only open of an older store
  const std::string prefix = StreamPrefix(pathway_id);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->rejections));
  for (it->Seek(prefix); it->Valid() && out.size() < max; it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    const std::string_view value = it->value().ToStringView();
    if (key.size() < prefix.size() + 8 || value.empty() ||
        static_cast<std::uint8_t>(value[0]) != kRejectionValueFormat) {
      return Status::Corruption("a rejection row of pathway " + pathway_id + " is malformed");
    }
    const auto at = static_cast<TimestampMs>(codec::GetBigU64(key.data() + prefix.size()));
    if (at > until) break;
    const nlohmann::json j = nlohmann::json::parse(value.substr(1), nullptr, false);
    if (!j.is_object()) {
      return Status::Corruption("a rejection row of pathway " + pathway_id + " is malformed");
    }
    Rejection r;
    r.pathway_id = pathway_id;
    r.at = at;
    r.command = j.value("command", "");
    r.command_id = j.value("command_id", "");
    r.trigger = j.value("trigger", "");
    r.actor.user = j.value("/actor/user"_json_pointer, "");
    r.actor.role = j.value("/actor/role"_json_pointer, "");
    r.state = j.value("state", "");
    r.version = j.value("version", std::uint64_t{0});
    r.reason = j.value("reason", "");
    out.push_back(std::move(r));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading rejections");
  return out;
}

}  // namespace pathways::storage
