// The log's Merkle tree as the store keeps it: written with the events, its root the one the
// events' stored bytes give, proofs that verify with nothing but themselves, the tree picked up
// again after a restart and built for a store of format 7, erasure leaving every proof valid,
// and checkpoints signed only when consistent with the latest.

#include <doctest/doctest.h>

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/storage/store_format.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

namespace merkle = audit::merkle;
namespace note = audit::note;
using testing::OpenStore;
using testing::Request;
using testing::TempDir;

void Append(storage::RocksEventStore& store, int from, int to) {
  for (int i = from; i < to; ++i) {
    AppendRequest r = Request("pw-" + std::to_string(i % 5), "c" + std::to_string(i));
    r.events[0].personal[PersonalScope::kIdentity] = {{"name", "Deltager " + std::to_string(i)}};
    if (i % 3 == 0) r.events.push_back(r.events[0]);  // a command of two events
    REQUIRE(store.Append(std::move(r)).ok());
  }
}

// The root the events' stored bytes give, hashed here rather than read from the tree.
Hash256 RootFromEvents(storage::RocksEventStore& store, std::uint64_t size) {
  merkle::CompactRange range;
  for (std::uint64_t p = 1; p <= size; ++p) {
    Result<std::string> entry = store.LeafEntry(p);
    REQUIRE(entry.ok());
    range.Append(merkle::LeafHash(*entry), [](auto, auto, const auto&) {});
  }
  return range.Root();
}

void CheckProofs(storage::RocksEventStore& store) {
  Result<TreeHead> head = store.TreeAt(std::nullopt);
  REQUIRE(head.ok());
  CHECK(head->root == RootFromEvents(store, head->size));
  for (std::uint64_t p = 1; p <= head->size; p += 7) {
    Result<std::vector<Hash256>> proof = store.InclusionProof(p, head->size);
    REQUIRE(proof.ok());
    const Hash256 leaf = merkle::LeafHash(*store.LeafEntry(p));
    CHECK_MESSAGE(merkle::VerifyInclusion(p - 1, head->size, leaf, *proof, head->root).ok(), p);
  }
  for (std::uint64_t old = 0; old <= head->size; old += 11) {
    Result<TreeHead> then = store.TreeAt(old);
    REQUIRE(then.ok());
    Result<std::vector<Hash256>> proof = store.ConsistencyProof(old, head->size);
    REQUIRE(proof.ok());
    CHECK_MESSAGE(merkle::VerifyConsistency(old, head->size, *proof, then->root, head->root).ok(),
                  old);
  }
}

TEST_CASE("the tree is written with the events, its proofs verify, and a restart goes on") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  Hash256 root_before{};
  {
    auto store = OpenStore(tmp / "store", clock);
    CHECK(store->TreeAt(std::nullopt)->root == merkle::EmptyRoot());
    Append(*store, 0, 40);
    CheckProofs(*store);
    root_before = store->TreeAt(std::nullopt)->root;
    CHECK(store->TreeAt(1000).status().code() == StatusCode::kInvalidArgument);
    CHECK(store->InclusionProof(0, 10).status().code() == StatusCode::kInvalidArgument);
  }
  auto store = OpenStore(tmp / "store", clock);
  CHECK(store->TreeAt(std::nullopt)->root == root_before);
  Append(*store, 40, 77);
  CheckProofs(*store);

  // Erasure seals nothing again: the events' bytes, the tree and every proof stay as they were.
  const TreeHead before = *store->TreeAt(std::nullopt);
  const std::string third = *store->LeafEntry(3);
  EraseRequest erase{
      "p-pw-1", {PersonalScope::kIdentity}, "erase-1", {"admin", "administrator"}, "asked to"};
  REQUIRE(store->ErasePersonalData(erase).ok());
  CHECK(*store->LeafEntry(3) == third);
  CHECK(store->TreeAt(before.size)->root == before.root);
  CheckProofs(*store);
}

TEST_CASE("a store of format 7 gets its tree from the log when opened to write") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  Hash256 root{};
  {
    auto store = OpenStore(tmp / "store", clock);
    Append(*store, 0, 30);
    root = store->TreeAt(std::nullopt)->root;
  }
  {
    testing::RawDb raw(tmp / "store");
    raw.Clear(storage::cf::kTree);
    raw.SetFormatVersion(7);
  }
  auto store = OpenStore(tmp / "store", clock);
  CHECK(store->TreeAt(std::nullopt)->root == root);
  Append(*store, 30, 45);
  CheckProofs(*store);
}

TEST_CASE("checkpoints: signed over the tree, kept, and never inconsistent with the latest") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  CryptoRandom random;
  Result<note::Signer> signer = note::GenerateSigner("pathways.example/amigo", random);
  REQUIRE(signer.ok());
  auto store = OpenStore(tmp / "store", clock);
  CHECK(store->Checkpoint(std::nullopt).status().code() == StatusCode::kNotFound);
  Append(*store, 0, 20);
  Result<StoredCheckpoint> first = store->SignCheckpoint(*signer);
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  Result<note::Note> signed_note = note::Parse(first->note);
  REQUIRE(signed_note.ok());
  CHECK(note::Verify(*signed_note, signer->verifier).ok());
  Result<audit::Checkpoint> c = audit::ParseCheckpoint(signed_note->text);
  REQUIRE(c.ok());
  CHECK(c->origin == "pathways.example/amigo");
  CHECK(c->size == first->size);
  CHECK(c->root == store->TreeAt(std::nullopt)->root);

  // Nothing new: the same checkpoint. More events: a new one, consistent with the first.
  CHECK(store->SignCheckpoint(*signer)->note == first->note);
  Append(*store, 20, 31);
  Result<StoredCheckpoint> second = store->SignCheckpoint(*signer);
  REQUIRE(second.ok());
  CHECK(second->size > first->size);
  CHECK(store->Checkpoint(std::nullopt)->note == second->note);
  CHECK(store->Checkpoint(first->size)->note == first->note);
  CHECK(store->Checkpoint(first->size + 1).status().code() == StatusCode::kNotFound);

  // Another key name is another log: refused.
  Result<note::Signer> other = note::GenerateSigner("somewhere.else/log", random);
  CHECK(store->SignCheckpoint(*other).status().code() == StatusCode::kFailedPrecondition);

  // A witness's cosignature is kept beside the log's signature, once.
  Result<note::Signer> witness = note::GenerateSigner("witness.example/w1", random);
  witness->verifier.type = note::kCosignatureEd25519;
  const std::string text = note::Parse(second->note)->text;
  Result<note::Signature> co = note::Cosign(text, *witness, 1796601600);
  REQUIRE(co.ok());
  REQUIRE(store->AddCosignature(second->size, *co).ok());
  REQUIRE(store->AddCosignature(second->size, *co).ok());
  Result<note::Note> cosigned = note::Parse(store->Checkpoint(second->size)->note);
  REQUIRE(cosigned.ok());
  CHECK(cosigned->signatures.size() == 2);
  CHECK(note::Verify(*cosigned, witness->verifier).ok());
  CHECK(note::Verify(*cosigned, signer->verifier).ok());
  CHECK(store->AddCosignature(3, *co).code() == StatusCode::kNotFound);

  // A rewritten history: an event changed and every hash after it recomputed, the tree built
  // again from the changed log. The store refuses to sign a checkpoint that would contradict
  // the one it signed.
  Append(*store, 31, 33);
  store.reset();
  {
    testing::RawDb raw(tmp / "store");
    raw.RewriteHistory(5);
  }
  store = OpenStore(tmp / "store", clock);
  Append(*store, 33, 35);
  Result<StoredCheckpoint> forked = store->SignCheckpoint(*signer);
  CHECK(forked.status().code() == StatusCode::kFailedPrecondition);
  CHECK(forked.status().message().find("inconsistent") != std::string::npos);
  CHECK(store->Checkpoint(std::nullopt)->size == second->size);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

// Verify() as `pathways verify` runs it (read-only: a damaged tree stops no writer's open).
VerifyReport VerifyAfter(const std::string& dir) {
  auto store = testing::OpenReadOnly(dir, /*with_key=*/false);
  Result<VerifyReport> r = store->Verify();
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("verify checks the tree: the events' leaves hashed up, each node against its children") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  CryptoRandom random;
  Result<note::Signer> signer = note::GenerateSigner("pathways.example/amigo", random);
  REQUIRE(signer.ok());
  std::uint64_t events = 0;
  {
    auto store = OpenStore(tmp / "store", clock);
    Append(*store, 0, 40);
    REQUIRE(store->SignCheckpoint(*signer).ok());
    events = store->Head().position;
    Result<VerifyReport> whole = store->Verify();
    REQUIRE(whole.ok());
    CHECK_MESSAGE(whole->ok, whole->problem);
    CHECK(whole->tree_nodes == events / 16 + events / 256);
    // In more segments (each on whole groups of leaves): the same.
    VerifyOptions three;
    three.segments = 3;
    Result<VerifyReport> in_three = store->Verify(three);
    REQUIRE(in_three.ok());
    CHECK(in_three->ok);
    CHECK(in_three->tree_nodes == whole->tree_nodes);
  }
  REQUIRE(events > 32);
  const auto node = storage::TreeKey(4, 1);
  std::string kept_node;
  {
    testing::RawDb raw(tmp / "store");
    CHECK(!raw.Has(storage::cf::kTree, storage::TreeKey(0, 0)));  // leaves are not stored
    kept_node = raw.Get(storage::cf::kTree, node);
    std::string altered = kept_node;
    altered[5] ^= 1;
    raw.Put(storage::cf::kTree, node, altered);
  }
  VerifyReport r = VerifyAfter(tmp / "store");
  CHECK(r.first_bad_position == 17);
  CHECK(r.problem.find("node 4/1 is not the hash of the nodes below it") != std::string::npos);
  {
    VerifyOptions three;
    three.segments = 3;
    Result<VerifyReport> in_three = testing::OpenReadOnly(tmp / "store", false)->Verify(three);
    REQUIRE(in_three.ok());
    CHECK(in_three->problem == r.problem);
  }

  {
    testing::RawDb raw(tmp / "store");
    raw.Delete(storage::cf::kTree, node);
  }
  r = VerifyAfter(tmp / "store");
  CHECK(r.first_bad_position == 17);
  CHECK(r.problem.find("node 4/1 is missing") != std::string::npos);

  // A node past the log's complete subtrees: the tree is of another log.
  {
    testing::RawDb raw(tmp / "store");
    raw.Put(storage::cf::kTree, node, kept_node);
    raw.Put(storage::cf::kTree, storage::TreeKey(4, events / 16), kept_node);
  }
  r = VerifyAfter(tmp / "store");
  CHECK(r.problem == "the tree holds node 4/" + std::to_string(events / 16) + ", past the " +
                         std::to_string(events) + " events of the log: it is another log's tree");

  // The latest checkpoint kept names a root the tree does not have there.
  {
    testing::RawDb raw(tmp / "store");
    raw.Delete(storage::cf::kTree, storage::TreeKey(4, events / 16));
    audit::Checkpoint forged{"pathways.example/amigo", 20, {}, {}};
    forged.root[3] = 7;
    const std::string text = audit::CheckpointText(forged);
    raw.Put(storage::cf::kCheckpoints, storage::EventKey(events),
            note::Format({text, {*note::Sign(text, *signer)}}));
  }
  r = VerifyAfter(tmp / "store");
  CHECK(r.first_bad_position == 20);
  CHECK(r.problem.find("another root than the latest checkpoint signed") != std::string::npos);
}

TEST_CASE(
    "a store of format 8 drops its stored leaves when opened to write, and its proofs still hold") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  Hash256 root{};
  {
    auto store = OpenStore(tmp / "store", clock);
    Append(*store, 0, 30);
    root = store->TreeAt(std::nullopt)->root;
  }
  {
    testing::RawDb raw(tmp / "store");
    raw.Put(storage::cf::kTree, storage::TreeKey(0, 3), std::string(32, 'x'));  // as format 8 left
    raw.SetFormatVersion(8);
  }
  auto store = OpenStore(tmp / "store", clock);
  {
    Result<VerifyReport> r = store->Verify();
    REQUIRE(r.ok());
    CHECK_MESSAGE(r->ok, r->problem);
  }
  CHECK(store->TreeAt(std::nullopt)->root == root);
  CheckProofs(*store);
  store.reset();
  testing::RawDb raw(tmp / "store");
  CHECK(!raw.Has(storage::cf::kTree, storage::TreeKey(0, 3)));
}

}  // namespace
}  // namespace pathways
