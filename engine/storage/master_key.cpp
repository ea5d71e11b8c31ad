#include "engine/storage/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/codec/event_record.hpp"

namespace pathways::storage {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string DefaultMasterKeyPath(const std::string& store_dir) {
  std::string dir = store_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".master-key";
}

Result<audit::Key256> LoadMasterKey(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("master key file " + path + " does not exist");
    return Status::IOError("cannot stat master key file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return Status::FailedPrecondition("master key file " + path +
                                      " may be read by group or others; run chmod 600 on it");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return Status::IOError("cannot read master key file " + path);
  std::string text = content.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  audit::Key256 key{};
  bool valid = text.size() == 2 * key.size();
  for (std::size_t i = 0; valid && i < key.size(); ++i) {
    int hi = HexValue(text[2 * i]);
    int lo = HexValue(text[2 * i + 1]);
    valid = hi >= 0 && lo >= 0;
    if (valid) key[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  audit::Wipe(text.data(), text.size());
  if (!valid) {
    return Status::FailedPrecondition("master key file " + path +
                                      " does not hold 64 hex digits (a 256-bit key)");
  }
  return key;
}

Result<audit::Key256> CreateMasterKey(const std::string& path, RandomSource& random) {
  audit::Key256 key{};
  if (Status s = random.Fill(key); !s.ok()) return s;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Conflict("master key file " + path + " already exists");
    return Status::IOError("cannot create master key file " + path + ": " + std::strerror(errno));
  }
  std::string text =
      codec::HexEncode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  text.push_back('\n');
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  audit::Wipe(text.data(), text.size());
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IOError("cannot write master key file " + path);
  }
  return key;
}

}  // namespace pathways::storage
