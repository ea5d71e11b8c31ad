#pragma once
// Byte-level helpers for the on-disk formats (docs/formats/event_log.md).
//
// Values use fixed-width little-endian integers and length-prefixed strings; keys use
// big-endian integers so that byte order equals numeric order. ByteReader is bounds-checked:
// every getter returns false instead of reading past the end, so a truncated or corrupted
// value is reported, never read out of bounds.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace pathways::codec {

inline void PutU8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }

template <typename T>
inline void PutLittle(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * i)));
  }
}
inline void PutU16(std::string& out, std::uint16_t v) { PutLittle(out, v); }
inline void PutU32(std::string& out, std::uint32_t v) { PutLittle(out, v); }
inline void PutU64(std::string& out, std::uint64_t v) { PutLittle(out, v); }

// REQUIRES: s.size() <= 65535 (callers validate lengths first).
inline void PutStr16(std::string& out, std::string_view s) {
  PutU16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}
inline void PutStr32(std::string& out, std::string_view s) {
  PutU32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

inline void PutBigU64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
inline std::uint64_t GetBigU64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}
inline std::string BigU64(std::uint64_t v) {
  std::string out;
  PutBigU64(out, v);
  return out;
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  std::size_t remaining() const { return in_.size() - pos_; }
  std::size_t offset() const { return pos_; }

  template <typename T>
  bool GetLittle(T& v) {
    if (remaining() < sizeof(T)) return false;
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      acc |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
    }
    v = static_cast<T>(acc);
    pos_ += sizeof(T);
    return true;
  }
  bool GetBytes(std::size_t n, std::string_view& out) {
    if (remaining() < n) return false;
    out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool GetStr16(std::string_view& out) {
    std::uint16_t n = 0;
    return GetLittle(n) && GetBytes(n, out);
  }
  bool GetStr32(std::string_view& out) {
    std::uint32_t n = 0;
    return GetLittle(n) && GetBytes(n, out);
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace pathways::codec
