#pragma once
// The log's Merkle tree (RFC 6962, section 2.1; RFC 9162, section 2.1): hashing, the compact
// range the writer keeps of a growing tree, proofs built from stored subtree hashes, and their
// verification, which needs nothing but the proof (docs/formats/merkle.md).
//
// A leaf is an event's stored bytes, the same bytes its chain hash covers: sealed, so a proof
// holds no personal data and stays valid after erasure. Leaf i is the event at position i + 1.
//
// Thread-safe: free functions; a CompactRange is a value.

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways::audit::merkle {

Hash256 LeafHash(std::string_view entry);                     // SHA-256(0x00 || entry)
Hash256 NodeHash(const Hash256& left, const Hash256& right);  // SHA-256(0x01 || left || right)
// The root of a perfect subtree from its nodes at one level (a power of two of them, at least
// one), hashed up pair by pair in place.
Hash256 HashUp(std::vector<Hash256>& nodes);
Hash256 EmptyRoot();  // SHA-256 of nothing

// The hash of the perfect subtree of 2^level leaves from leaf index << level, as stored.
using NodeSource = std::function<Result<Hash256>(std::uint32_t level, std::uint64_t index)>;

// The root of the first `size` leaves, built from perfect subtrees.
Result<Hash256> RootOf(std::uint64_t size, const NodeSource& node);
// The hashes that lead from leaf `index` to the root of the first `size` leaves, the leaf's
// sibling first. InvalidArgument unless index < size.
Result<std::vector<Hash256>> InclusionProof(std::uint64_t index, std::uint64_t size,
                                            const NodeSource& node);
// The hashes that show the first `old_size` leaves are the start of the first `new_size`.
// InvalidArgument unless old_size <= new_size; empty when old_size is 0 or new_size.
Result<std::vector<Hash256>> ConsistencyProof(std::uint64_t old_size, std::uint64_t new_size,
                                              const NodeSource& node);

// Rejected, saying why, unless `proof` leads from `leaf` at `index` to `root` of a tree of
// `size` leaves.
Status VerifyInclusion(std::uint64_t index, std::uint64_t size, const Hash256& leaf,
                       std::span<const Hash256> proof, const Hash256& root);
// Rejected, saying why, unless `proof` shows the tree of `old_size` leaves with `old_root` is
// the start of the tree of `new_size` leaves with `new_root`.
Status VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size,
                         std::span<const Hash256> proof, const Hash256& old_root,
                         const Hash256& new_root);

// The right border of a growing tree: the roots of its largest perfect subtrees, one per bit
// set in its size, the largest first. Appending a leaf merges equal subtrees, as adding one to
// a binary counter carries.
class CompactRange {
 public:
  // The range of a tree of `size` leaves, from its stored subtrees.
  static Result<CompactRange> Of(std::uint64_t size, const NodeSource& node);

  // Appends a leaf's hash; `completed(level, index, hash)` hears of every perfect subtree the
  // leaf completes, the leaf itself (level 0) first.
  template <typename Completed>
  void Append(const Hash256& leaf, Completed&& completed) {
    Hash256 hash = leaf;
    std::uint64_t index = size_;
    std::uint32_t level = 0;
    completed(level, index, hash);
    while (((size_ >> level) & 1) != 0) {
      hash = NodeHash(border_.back(), hash);
      border_.pop_back();
      ++level;
      index >>= 1;
      completed(level, index, hash);
    }
    border_.push_back(hash);
    ++size_;
  }

  std::uint64_t size() const { return size_; }
  Hash256 Root() const;

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash256> border_;
};

}  // namespace pathways::audit::merkle
