// Opening personal data: an event's sealed parts, and the special-category parts kept beside
// the report rows (`report_sealed`). Each opens with the participant's live key of its scope
// and generation; a destroyed key (an erasure) reads as nothing, not as an error.

#include <nlohmann/json.hpp>

#include "engine/audit/aead.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace {

// The fields of one sealed part: nullopt when its key is gone or is of another generation;
// Corruption, naming what `what()` says (built only then), when it does not open or is not JSON.
template <typename What>
Result<std::optional<nlohmann::json>> OpenPart(KeyRing& keys, std::string_view participant_id,
                                               PersonalScope scope, std::uint32_t generation,
                                               std::string_view nonce, std::string_view ciphertext,
                                               const What& what) {
  Result<std::optional<DataKey>> key = keys.Find(participant_id, scope);
  if (!key.ok()) return key.status();
  if (!key->has_value() || !(*key)->live || (*key)->generation != generation) {
    return std::optional<nlohmann::json>();
  }
  std::optional<std::string> plain =
      audit::Open((*key)->key, {reinterpret_cast<const std::uint8_t*>(nonce.data()), nonce.size()},
                  PersonalAad(participant_id, scope, generation), ciphertext);
  if (!plain) return Status::Corruption(what() + " does not open with its key");
  nlohmann::json fields = nlohmann::json::parse(*plain, nullptr, /*allow_exceptions=*/false);
  audit::Wipe(plain->data(), plain->size());
  if (fields.is_discarded()) return Status::Corruption(what() + " is not JSON");
  return std::optional(std::move(fields));
}

}  // namespace

Result<std::vector<RevealedPersonal>> RocksEventStore::RevealPersonal(
    const codec::EventView& e) const {
  std::vector<RevealedPersonal> out;
  if (e.personal_count > 0 && !impl_->key_ring->has_master_key()) {
    return Status::FailedPrecondition("personal data needs the store's master key");
  }
  for (std::size_t i = 0; i < e.personal_count; ++i) {
    const codec::PersonalPartView& part = e.personal[i];
    Result<std::optional<nlohmann::json>> fields =
        OpenPart(*impl_->key_ring, e.participant_id, part.scope, part.key_generation, part.nonce,
                 part.ciphertext,
                 [&] { return "the personal data of event " + std::to_string(e.position); });
    if (!fields.ok()) return fields.status();
    out.push_back({part.scope, std::move(*fields)});
  }
  return out;
}

Result<std::vector<RevealedPersonal>> RocksEventStore::RevealPersonal(
    const RecordedEvent& e) const {
  // What revealing reads of an event, viewed in place rather than encoded and decoded again.
  if (e.personal.size() > codec::kMaxPersonalParts) {
    return Status::InvalidArgument("an event has at most " +
                                   std::to_string(codec::kMaxPersonalParts) + " personal parts");
  }
  codec::EventView view;
  view.position = e.position;
  view.participant_id = e.participant_id;
  view.personal_count = e.personal.size();
  for (std::size_t i = 0; i < e.personal.size(); ++i) {
    const SealedPersonal& part = e.personal[i];
    view.personal[i] = {part.scope,
                        part.key_generation,
                        {reinterpret_cast<const char*>(part.nonce.data()), part.nonce.size()},
                        part.ciphertext};
  }
  return RevealPersonal(view);
}

namespace {

// A kept part's value opened: its fields, or nullopt fields once its key is erased.
Result<std::optional<RevealedPersonal>> OpenKept(KeyRing& keys, const std::string& participant_id,
                                                 const std::string& pathway_id,
                                                 std::uint64_t version, std::string_view value) {
  auto what = [&] {
    return "the kept special-category part of " + pathway_id + " version " +
           std::to_string(version);
  };
  SealedPersonal part;
  if (!DecodeKeptSpecial(value, part)) return Status::Corruption(what() + " is malformed");
  Result<std::optional<nlohmann::json>> fields = OpenPart(
      keys, participant_id, part.scope, part.key_generation,
      {reinterpret_cast<const char*>(part.nonce.data()), part.nonce.size()}, part.ciphertext, what);
  if (!fields.ok()) return fields.status();
  return std::optional(RevealedPersonal{part.scope, std::move(*fields)});
}

// Walks `report_sealed` forward: a key at or a few rows past the last one read is found by
// stepping, any other by seeking (RocksDB's binary searches in the index and the block).
class KeptSpecialCursor final : public KeptSpecialReader {
 public:
  KeptSpecialCursor(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, KeyRing& keys)
      : it_(db.NewIterator(rocksdb::ReadOptions(), cf)), keys_(keys) {}

  Result<std::optional<RevealedPersonal>> Read(const std::string& participant_id,
                                               const std::string& pathway_id,
                                               std::uint64_t version) override {
    const std::string target = StreamKey(pathway_id, version);
    const rocksdb::Slice key(target);
    if (!positioned_ || !it_->Valid() || it_->key().compare(key) > 0) {
      it_->Seek(key);
      positioned_ = true;
    } else {
      for (int step = 0; step < kSteps && it_->Valid() && it_->key().compare(key) < 0; ++step) {
        it_->Next();
      }
      if (it_->Valid() && it_->key().compare(key) < 0) it_->Seek(key);
    }
    if (!it_->status().ok()) return FromRocks(it_->status(), "reading kept special-category parts");
    if (!it_->Valid() || it_->key() != key) return std::optional<RevealedPersonal>();
    return OpenKept(keys_, participant_id, pathway_id, version, it_->value().ToStringView());
  }

 private:
  // Steps before a seek: a pathway keeps a part for each version that sealed special items,
  // and a report skips the rows that read none.
  static constexpr int kSteps = 8;

  std::unique_ptr<rocksdb::Iterator> it_;
  KeyRing& keys_;
  bool positioned_ = false;
};

}  // namespace

Result<std::optional<RevealedPersonal>> RocksEventStore::KeptSpecialItems(
    const std::string& participant_id, const std::string& pathway_id, std::uint64_t version) const {
  const Impl& s = *impl_;
  if (s.report_sealed == nullptr) return std::optional<RevealedPersonal>();
  if (!s.key_ring->has_master_key()) {
    return Status::FailedPrecondition("personal data needs the store's master key");
  }
  std::string value;
  rocksdb::Status st =
      s.db->Get(rocksdb::ReadOptions(), s.report_sealed, StreamKey(pathway_id, version), &value);
  if (st.IsNotFound()) return std::optional<RevealedPersonal>();
  if (!st.ok()) return FromRocks(st, "reading a kept special-category part");
  return OpenKept(*s.key_ring, participant_id, pathway_id, version, value);
}

Result<std::unique_ptr<KeptSpecialReader>> RocksEventStore::KeptSpecialInOrder() const {
  const Impl& s = *impl_;
  if (!s.key_ring->has_master_key()) {
    return Status::FailedPrecondition("personal data needs the store's master key");
  }
  if (s.report_sealed == nullptr) {
    // A store without the column family keeps no copies: every read answers none.
    struct None final : KeptSpecialReader {
      Result<std::optional<RevealedPersonal>> Read(const std::string&, const std::string&,
                                                   std::uint64_t) override {
        return std::optional<RevealedPersonal>();
      }
    };
    return std::unique_ptr<KeptSpecialReader>(std::make_unique<None>());
  }
  return std::unique_ptr<KeptSpecialReader>(
      std::make_unique<KeptSpecialCursor>(*s.db, s.report_sealed, *s.key_ring));
}

}  // namespace pathways::storage
