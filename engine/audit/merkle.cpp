#include "engine/audit/merkle.hpp"

#include <bit>

#include "engine/audit/sha256.hpp"

namespace pathways::audit::merkle {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

// The largest power of two below n (n > 1): where RFC 6962 splits a tree of n leaves.
std::uint64_t Split(std::uint64_t n) { return std::bit_floor(n - 1); }

// The hash of leaves [begin, end): a perfect subtree read as stored, any other range split as
// the tree is. `begin` is a multiple of the largest power of two not above end - begin, as
// every range a proof names is.
Result<Hash256> RangeHash(std::uint64_t begin, std::uint64_t end, const NodeSource& node) {
  const std::uint64_t n = end - begin;
  if (std::has_single_bit(n)) {
    const auto level = static_cast<std::uint32_t>(std::countr_zero(n));
    return node(level, begin >> level);
  }
  const std::uint64_t k = Split(n);
  Result<Hash256> left = RangeHash(begin, begin + k, node);
  if (!left.ok()) return left;
  Result<Hash256> right = RangeHash(begin + k, end, node);
  if (!right.ok()) return right;
  return NodeHash(*left, *right);
}

// RFC 6962, 2.1.1: PATH(m, D[begin:end]), appended to `out`.
Status Path(std::uint64_t m, std::uint64_t begin, std::uint64_t end, const NodeSource& node,
            std::vector<Hash256>& out) {
  if (end - begin == 1) return Status::Ok();
  const std::uint64_t mid = begin + Split(end - begin);
  Status st = m < mid ? Path(m, begin, mid, node, out) : Path(m, mid, end, node, out);
  if (!st.ok()) return st;
  Result<Hash256> other = m < mid ? RangeHash(mid, end, node) : RangeHash(begin, mid, node);
  if (!other.ok()) return other.status();
  out.push_back(*other);
  return Status::Ok();
}

// RFC 6962, 2.1.2: SUBPROOF(m, D[begin:end], whole), m an absolute leaf count.
Status SubProof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool whole,
                const NodeSource& node, std::vector<Hash256>& out) {
  if (m == end) {
    if (whole) return Status::Ok();
    Result<Hash256> h = RangeHash(begin, end, node);
    if (!h.ok()) return h.status();
    out.push_back(*h);
    return Status::Ok();
  }
  const std::uint64_t mid = begin + Split(end - begin);
  Status st = m <= mid ? SubProof(m, begin, mid, whole, node, out)
                       : SubProof(m, mid, end, false, node, out);
  if (!st.ok()) return st;
  Result<Hash256> other = m <= mid ? RangeHash(mid, end, node) : RangeHash(begin, mid, node);
  if (!other.ok()) return other.status();
  out.push_back(*other);
  return Status::Ok();
}

bool Lsb(std::uint64_t x) { return (x & 1) != 0; }

}  // namespace

Hash256 LeafHash(std::string_view entry) {
  Sha256 sha;
  sha.Update(&kLeafPrefix, 1);
  sha.Update(entry.data(), entry.size());
  return sha.Final();
}

Hash256 NodeHash(const Hash256& left, const Hash256& right) {
  Sha256 sha;
  sha.Update(&kNodePrefix, 1);
  sha.Update(left.data(), left.size());
  sha.Update(right.data(), right.size());
  return sha.Final();
}

Hash256 HashUp(std::vector<Hash256>& nodes) {
  while (nodes.size() > 1) {
    for (std::size_t i = 0; i < nodes.size() / 2; ++i) {
      nodes[i] = NodeHash(nodes[2 * i], nodes[2 * i + 1]);
    }
    nodes.resize(nodes.size() / 2);
  }
  return nodes.front();
}

Hash256 EmptyRoot() {
  Sha256 sha;
  return sha.Final();
}

Result<Hash256> RootOf(std::uint64_t size, const NodeSource& node) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, node);
}

Result<std::vector<Hash256>> InclusionProof(std::uint64_t index, std::uint64_t size,
                                            const NodeSource& node) {
  if (index >= size) {
    return Status::InvalidArgument("leaf " + std::to_string(index) + " is not in a tree of " +
                                   std::to_string(size));
  }
  std::vector<Hash256> out;
  if (Status st = Path(index, 0, size, node, out); !st.ok()) return st;
  return out;
}

Result<std::vector<Hash256>> ConsistencyProof(std::uint64_t old_size, std::uint64_t new_size,
                                              const NodeSource& node) {
  if (old_size > new_size) {
    return Status::InvalidArgument("a tree of " + std::to_string(old_size) +
                                   " cannot be the start of one of " + std::to_string(new_size));
  }
  std::vector<Hash256> out;
  if (old_size == 0 || old_size == new_size) return out;
  if (Status st = SubProof(old_size, 0, new_size, true, node, out); !st.ok()) return st;
  return out;
}

Status VerifyInclusion(std::uint64_t index, std::uint64_t size, const Hash256& leaf,
                       std::span<const Hash256> proof, const Hash256& root) {
  if (index >= size) {
    return Status::Rejected("leaf " + std::to_string(index) + " is not in a tree of " +
                            std::to_string(size));
  }
  // RFC 9162, 2.1.3.2.
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Hash256 r = leaf;
  for (const Hash256& p : proof) {
    if (sn == 0) return Status::Rejected("the inclusion proof is longer than the tree is deep");
    if (Lsb(fn) || fn == sn) {
      r = NodeHash(p, r);
      while (!Lsb(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Rejected("the inclusion proof is shorter than the tree is deep");
  if (r != root) return Status::Rejected("the inclusion proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size,
                         std::span<const Hash256> proof, const Hash256& old_root,
                         const Hash256& new_root) {
  if (old_size > new_size) {
    return Status::Rejected("the older tree (" + std::to_string(old_size) +
                            " leaves) is larger than the newer (" + std::to_string(new_size) + ")");
  }
  if (old_size == new_size) {
    if (!proof.empty()) return Status::Rejected("trees of one size need an empty proof");
    if (old_root != new_root) return Status::Rejected("two roots for a tree of one size: a fork");
    return Status::Ok();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Status::Rejected("an empty tree needs an empty proof");
    return Status::Ok();
  }
  if (proof.empty()) return Status::Rejected("the consistency proof is empty");
  // RFC 9162, 2.1.4.2.
  std::vector<Hash256> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash256 fr = path.front();
  Hash256 sr = path.front();
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Hash256& c = path[i];
    if (sn == 0) return Status::Rejected("the consistency proof is longer than the trees need");
    if (Lsb(fn) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!Lsb(fn) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Rejected("the consistency proof is shorter than the trees need");
  if (fr != old_root) {
    return Status::Rejected(
        "the older tree's root is not the start of the newer: history was "
        "rewritten");
  }
  if (sr != new_root)
    return Status::Rejected("the consistency proof does not lead to the newer root");
  return Status::Ok();
}

Result<CompactRange> CompactRange::Of(std::uint64_t size, const NodeSource& node) {
  CompactRange range;
  std::uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    if (((size >> level) & 1) == 0) continue;
    Result<Hash256> h = node(static_cast<std::uint32_t>(level), begin >> level);
    if (!h.ok()) return h.status();
    range.border_.push_back(*h);
    begin += std::uint64_t{1} << level;
  }
  range.size_ = size;
  return range;
}

Hash256 CompactRange::Root() const {
  if (border_.empty()) return EmptyRoot();
  Hash256 r = border_.back();
  for (auto it = border_.rbegin() + 1; it != border_.rend(); ++it) r = NodeHash(*it, r);
  return r;
}

}  // namespace pathways::audit::merkle
