// The Merkle tree against RFC 6962's published test vectors (the leaves, roots and proofs the
// Certificate Transparency and Go tlog implementations test with), and proofs of every size
// built from stored subtrees checked against each other.

#include "engine/audit/merkle.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

namespace pathways::audit::merkle {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

Hash256 H(std::string_view hex) {
  const std::string bytes = Unhex(hex);
  Hash256 h{};
  REQUIRE(bytes.size() == h.size());
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(h.data()));
  return h;
}

const std::vector<std::string> kLeaves = {"",
                                          "00",
                                          "10",
                                          "2021",
                                          "3031",
                                          "40414243",
                                          "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"};
const std::vector<std::string> kRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

// A tree kept as the writer keeps it: every completed subtree stored by (level, index).
struct Tree {
  CompactRange range;
  std::map<std::pair<std::uint32_t, std::uint64_t>, Hash256> nodes;
  int reads = 0;

  void Append(std::string_view entry) {
    range.Append(LeafHash(entry), [&](std::uint32_t level, std::uint64_t index, const Hash256& h) {
      nodes[{level, index}] = h;
    });
  }
  NodeSource Source() {
    return [this](std::uint32_t level, std::uint64_t index) -> Result<Hash256> {
      ++reads;
      auto it = nodes.find({level, index});
      if (it == nodes.end()) return Status::NotFound("no such node");
      return it->second;
    };
  }
};

TEST_CASE("merkle: the RFC 6962 roots of the first one to eight test leaves") {
  CHECK(EmptyRoot() == H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  Tree tree;
  for (std::size_t n = 0; n < kLeaves.size(); ++n) {
    tree.Append(Unhex(kLeaves[n]));
    CHECK_MESSAGE(tree.range.Root() == H(kRoots[n]), "size ", n + 1);
    CHECK(*RootOf(n + 1, tree.Source()) == H(kRoots[n]));
    Result<CompactRange> again = CompactRange::Of(n + 1, tree.Source());
    REQUIRE(again.ok());
    CHECK(again->Root() == H(kRoots[n]));
  }
}

TEST_CASE("merkle: the published inclusion and consistency proofs, built and verified") {
  Tree tree;
  for (const std::string& leaf : kLeaves) tree.Append(Unhex(leaf));
  const std::vector<Hash256> inclusion = {
      H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
      H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  CHECK(*InclusionProof(5, 8, tree.Source()) == inclusion);
  const Hash256 leaf5 = LeafHash(Unhex(kLeaves[5]));
  CHECK(VerifyInclusion(5, 8, leaf5, inclusion, H(kRoots[7])).ok());
  CHECK(VerifyInclusion(4, 8, leaf5, inclusion, H(kRoots[7])).code() == StatusCode::kRejected);
  CHECK(VerifyInclusion(2, 3, LeafHash(Unhex(kLeaves[2])), std::vector{H(kRoots[1])}, H(kRoots[2]))
            .ok());

  const std::vector<Hash256> six_to_eight = {
      H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
      H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  CHECK(*ConsistencyProof(6, 8, tree.Source()) == six_to_eight);
  CHECK(VerifyConsistency(6, 8, six_to_eight, H(kRoots[5]), H(kRoots[7])).ok());
  CHECK(VerifyConsistency(6, 8, six_to_eight, H(kRoots[4]), H(kRoots[7])).code() ==
        StatusCode::kRejected);
  const std::vector<Hash256> two_to_five = {
      H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")};
  CHECK(*ConsistencyProof(2, 5, tree.Source()) == two_to_five);
  CHECK(VerifyConsistency(2, 5, two_to_five, H(kRoots[1]), H(kRoots[4])).ok());
}

TEST_CASE("merkle: every proof of trees up to 70 leaves verifies, and fails when changed") {
  Tree tree;
  std::vector<Hash256> roots;
  for (int i = 0; i < 70; ++i) {
    tree.Append("event " + std::to_string(i));
    roots.push_back(tree.range.Root());
  }
  for (std::uint64_t size = 1; size <= 70; ++size) {
    const Hash256& root = roots[size - 1];
    CHECK(*RootOf(size, tree.Source()) == root);
    for (std::uint64_t i = 0; i < size; ++i) {
      Result<std::vector<Hash256>> proof = InclusionProof(i, size, tree.Source());
      REQUIRE(proof.ok());
      const Hash256 leaf = LeafHash("event " + std::to_string(i));
      REQUIRE_MESSAGE(VerifyInclusion(i, size, leaf, *proof, root).ok(), i, " of ", size);
      CHECK(!VerifyInclusion(i, size, LeafHash("rewritten"), *proof, root).ok());
      if (!proof->empty()) {
        auto shorter = *proof;
        shorter.pop_back();
        CHECK(!VerifyInclusion(i, size, leaf, shorter, root).ok());
      }
    }
    for (std::uint64_t old = 0; old <= size; ++old) {
      Result<std::vector<Hash256>> proof = ConsistencyProof(old, size, tree.Source());
      REQUIRE(proof.ok());
      const Hash256 old_root = old == 0 ? EmptyRoot() : roots[old - 1];
      REQUIRE_MESSAGE(VerifyConsistency(old, size, *proof, old_root, root).ok(), old, " to ", size);
      if (old > 0 && old < size) {
        // A fork: the older tree with a leaf rewritten is not the start of the newer.
        Tree other;
        for (std::uint64_t i = 0; i < old; ++i) {
          other.Append(i == old / 2 ? "rewritten" : "event " + std::to_string(i));
        }
        CHECK(VerifyConsistency(old, size, *proof, other.range.Root(), root).code() ==
              StatusCode::kRejected);
        auto cut = *proof;
        cut.pop_back();
        CHECK(!VerifyConsistency(old, size, cut, old_root, root).ok());
      }
    }
  }
  CHECK(InclusionProof(70, 70, tree.Source()).status().code() == StatusCode::kInvalidArgument);
  CHECK(ConsistencyProof(71, 70, tree.Source()).status().code() == StatusCode::kInvalidArgument);
  CHECK(VerifyConsistency(70, 70, {}, roots[69], roots[68]).code() == StatusCode::kRejected);
}

TEST_CASE("merkle: a proof reads a node for each level, not the leaves") {
  Tree tree;
  for (int i = 0; i < 1000; ++i) tree.Append(std::to_string(i));
  tree.reads = 0;
  REQUIRE(InclusionProof(517, 1000, tree.Source()).ok());
  CHECK(tree.reads <= 2 * 10);
  tree.reads = 0;
  REQUIRE(ConsistencyProof(333, 1000, tree.Source()).ok());
  CHECK(tree.reads <= 2 * 2 * 10);
}

}  // namespace
}  // namespace pathways::audit::merkle
