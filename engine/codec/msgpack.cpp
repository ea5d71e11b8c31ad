#include "engine/codec/msgpack.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "engine/codec/utf8.hpp"

namespace pathways::codec {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool done() const { return pos_ == in_.size(); }

  bool Value(Json& out, int depth) {
    std::uint8_t tag = 0;
    if (!Byte(tag)) return false;
    if (tag <= 0x7f) return out = std::uint64_t{tag}, true;
    if (tag >= 0xe0) return out = std::int64_t{static_cast<std::int8_t>(tag)}, true;
    if (IsString(tag)) {
      std::string_view text;
      if (!Text(tag, text)) return false;
      out = std::string(text);
      return true;
    }
    if (tag >= 0x90 && tag <= 0x9f) return Array(tag & 0x0fu, out, depth);
    if (tag >= 0x80 && tag <= 0x8f) return Object(tag & 0x0fu, out, depth);
    std::uint32_t n = 0;
    switch (tag) {
      case 0xc0: return out = nullptr, true;
      case 0xc2: return out = false, true;
      case 0xc3: return out = true, true;
      case 0xca: return Float<std::uint32_t, float>(out);
      case 0xcb: return Float<std::uint64_t, double>(out);
      case 0xcc: return Unsigned<std::uint8_t>(out);
      case 0xcd: return Unsigned<std::uint16_t>(out);
      case 0xce: return Unsigned<std::uint32_t>(out);
      case 0xcf: return Unsigned<std::uint64_t>(out);
      case 0xd0: return Signed<std::uint8_t, std::int8_t>(out);
      case 0xd1: return Signed<std::uint16_t, std::int16_t>(out);
      case 0xd2: return Signed<std::uint32_t, std::int32_t>(out);
      case 0xd3: return Signed<std::uint64_t, std::int64_t>(out);
      case 0xdc: return Sized<std::uint16_t>(n) && Array(n, out, depth);
      case 0xdd: return Sized<std::uint32_t>(n) && Array(n, out, depth);
      case 0xde: return Sized<std::uint16_t>(n) && Object(n, out, depth);
      case 0xdf: return Sized<std::uint32_t>(n) && Object(n, out, depth);
      default: return false;  // 0xc1 (never used), binary and extension values
    }
  }

 private:
  bool Byte(std::uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }
  // A big-endian integer of T's width.
  template <typename T>
  bool Big(T& v) {
    if (in_.size() - pos_ < sizeof(T)) return false;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      x = (x << 8) | static_cast<std::uint8_t>(in_[pos_ + i]);
    }
    pos_ += sizeof(T);
    v = static_cast<T>(x);
    return true;
  }
  template <typename T>
  bool Unsigned(Json& out) {
    T v{};
    if (!Big(v)) return false;
    out = static_cast<std::uint64_t>(v);
    return true;
  }
  template <typename U, typename S>
  bool Signed(Json& out) {
    U v{};
    if (!Big(v)) return false;
    out = static_cast<std::int64_t>(static_cast<S>(v));
    return true;
  }
  template <typename U, typename F>
  bool Float(Json& out) {
    U v{};
    if (!Big(v)) return false;
    out = static_cast<double>(std::bit_cast<F>(v));
    return true;
  }
  // A big-endian count or length of T's width.
  template <typename T>
  bool Sized(std::uint32_t& n) {
    T v{};
    if (!Big(v)) return false;
    n = v;
    return true;
  }
  static bool IsString(std::uint8_t tag) {
    return (tag >= 0xa0 && tag <= 0xbf) || (tag >= 0xd9 && tag <= 0xdb);
  }
  // The UTF-8 text of a string whose tag was just read.
  bool Text(std::uint8_t tag, std::string_view& text) {
    std::size_t n = tag & 0x1fu;
    if (tag == 0xd9 || tag == 0xda || tag == 0xdb) {
      std::uint32_t size = 0;
      if (!(tag == 0xd9   ? Sized<std::uint8_t>(size)
            : tag == 0xda ? Sized<std::uint16_t>(size)
                          : Sized<std::uint32_t>(size))) {
        return false;
      }
      n = size;
    }
    if (in_.size() - pos_ < n) return false;
    text = in_.substr(pos_, n);
    pos_ += n;
    return IsValidUtf8(text);
  }
  bool Array(std::size_t n, Json& out, int depth) {
    // Each element takes a byte at least: a corrupt count cannot reserve more than is there.
    if (depth >= kMaxDepth || n > in_.size() - pos_) return false;
    out = Json::array();
    auto& items = out.get_ref<Json::array_t&>();
    items.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!Value(items.emplace_back(), depth + 1)) return false;
    }
    return true;
  }
  bool Object(std::size_t n, Json& out, int depth) {
    if (depth >= kMaxDepth || n > (in_.size() - pos_) / 2) return false;
    out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    for (std::size_t i = 0; i < n; ++i) {
      std::string_view key;
      if (!Key(key)) return false;
      // In strictly increasing order, as a map writes them: each goes at the end, unlooked-up.
      if (!members.empty() && !(members.rbegin()->first < key)) return false;
      auto at = members.emplace_hint(members.end(), std::string(key), nullptr);
      if (!Value(at->second, depth + 1)) return false;
    }
    return true;
  }
  bool Key(std::string_view& key) {
    std::uint8_t tag = 0;
    return Byte(tag) && IsString(tag) && Text(tag, key);
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

void AppendMsgpack(std::string& out, const nlohmann::json& value) {
  nlohmann::json::to_msgpack(value, nlohmann::detail::output_adapter<char>(out));
}

bool ReadMsgpack(std::string_view in, nlohmann::json& out) {
  Reader r(in);
  return r.Value(out, 0) && r.done();
}

}  // namespace pathways::codec
