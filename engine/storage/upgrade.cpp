// Upgrading a store written in an older format: what format 4 adds to every pathway (the path
// in its state row, the report rows beside it, the special-category parts kept for them) is
// rebuilt by replaying each pathway's events once through the appliers, as the writer would
// have written it; format 7's company links are read off the state rows; format 8's tree is
// the log's events hashed in order.

#include "engine/codec/bytes.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/runtime/pathway_rules.hpp"
#include "engine/runtime/processor.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/state_row.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

Status RocksEventStore::Impl::RebuildPathRows() {
  std::vector<std::string> ids;
  {
    std::unique_ptr<rocksdb::Iterator> rows(db->NewIterator(rocksdb::ReadOptions(), pathways));
    for (rows->SeekToFirst(); rows->Valid(); rows->Next()) ids.push_back(rows->key().ToString());
    if (!rows->status().ok()) return FromRocks(rows->status(), "listing the pathways");
  }
  for (const std::string& id : ids) {
    rocksdb::WriteBatch batch;
    runtime::PathwayState state;
    std::optional<runtime::PathwayState> written;  // the report row last written
    std::string command;
    std::uint64_t command_end = 0;  // the position of the command's last event so far
    // A command's events count together: its report row, if it changed, as of its last.
    auto end_command = [&]() -> Status {
      if (command_end == 0 || (written && runtime::SameReportRow(*written, state))) {
        return Status::Ok();
      }
      written = state;
      std::string key = StreamPrefix(id);
      codec::PutBigU64(key, command_end);
      return FromRocks(batch.Put(report_history, key, EncodeStateRow(runtime::ReportRow(state))),
                       "staging a report row");
    };
    const std::string prefix = StreamPrefix(id);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), streams));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      StreamRun run;
      if (!DecodeStreamRun(prefix, it->key().ToStringView(), it->value().ToStringView(), run)) {
        return Status::Corruption("stream " + id + " has a malformed stream index row");
      }
      for (std::uint64_t v = run.first_version; v <= run.last_version(); ++v) {
        std::string value;
        if (Status st = ReadEventValue(run.PositionOf(v), value); !st.ok()) return st;
        codec::EventView view;
        if (Status st = codec::DecodeValue(value, view); !st.ok()) return st;
        const RecordedEvent event = codec::ToRecordedEvent(view);
        for (const SealedPersonal& part : event.personal) {
          if (part.scope != PersonalScope::kSpecial) continue;
          if (Status st =
                  FromRocks(batch.Put(report_sealed, StreamKey(id, v), EncodeKeptSpecial(part)),
                            "staging a kept special-category part");
              !st.ok()) {
            return st;
          }
        }
        if (event.command_id != command) {
          if (Status st = end_command(); !st.ok()) return st;
          command = event.command_id;
        }
        if (Status st = runtime::Apply(state, event); !st.ok()) return st;
        command_end = event.position;
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the stream index");
    if (Status st = end_command(); !st.ok()) return st;
    if (!state.exists()) continue;  // a row without events: left as it is
    Status st = FromRocks(batch.Put(pathways, id, EncodeStateRow(state)), "staging a state row");
    if (st.ok()) {
      st = FromRocks(batch.Put(reports, id, EncodeStateRow(runtime::ReportRow(state))),
                     "staging a report row");
    }
    if (st.ok()) st = FromRocks(db->Write(rocksdb::WriteOptions(), &batch), "upgrading " + id);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status RocksEventStore::Impl::RebuildCompanyLinks() {
  // Links only add rows, so batches of a bounded size may land one by one: a crash on the way
  // leaves the old format, and the next open writes them all again.
  rocksdb::WriteBatch batch;
  auto write = [&] {
    Status st = FromRocks(db->Write(rocksdb::WriteOptions(), &batch), "writing company links");
    batch.Clear();
    return st;
  };
  std::unique_ptr<rocksdb::Iterator> rows(db->NewIterator(rocksdb::ReadOptions(), pathways));
  for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
    const std::string id = rows->key().ToString();
    Result<runtime::PathwayState> state = DecodeStateRow(id, rows->value().ToStringView());
    if (!state.ok()) return state.status();
    for (const auto& [cvr, flags] : runtime::CompanyLinksOf(*state)) {
      rocksdb::Status st =
          batch.Put(company_links, CompanyLinkKey(cvr, id), EncodeCompanyLink(flags));
      if (!st.ok()) return FromRocks(st, "staging a company link");
    }
    if (batch.Count() >= 10000) {
      if (Status st = write(); !st.ok()) return st;
    }
  }
  if (!rows->status().ok()) return FromRocks(rows->status(), "listing the pathways");
  return write();
}

Status RocksEventStore::Impl::BuildTree() {
  // Nodes only add rows, so batches may land one by one: a crash on the way leaves the old
  // format, and the next open writes them all again, the same bytes.
  audit::merkle::CompactRange range;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), events));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8 || codec::GetBigU64(it->key().data()) != range.size() + 1) {
      return Status::Corruption("event " + std::to_string(range.size() + 1) +
                                " is missing; run `pathways verify` to find the damage");
    }
    if (Status st =
            StageLeaf(batch, tree, range, audit::merkle::LeafHash(it->value().ToStringView()));
        !st.ok()) {
      return st;
    }
    if (batch.Count() >= 10000) {
      if (Status st = FromRocks(db->Write(rocksdb::WriteOptions(), &batch), "writing the tree");
          !st.ok()) {
        return st;
      }
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
  return FromRocks(db->Write(rocksdb::WriteOptions(), &batch), "writing the tree");
}

}  // namespace pathways::storage
