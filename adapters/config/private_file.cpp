#include "adapters/config/private_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace pathways::config {

FileLock::FileLock(const std::string& path) {
  fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ >= 0) ::flock(fd_, LOCK_EX);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

Status EnsurePrivateFolder(const std::string& path) {
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (folder.empty() || std::filesystem::exists(folder, ec)) return Status::Ok();
  std::filesystem::create_directories(folder, ec);
  if (!ec) std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
  if (ec) return Status::IOError("cannot create " + folder.string() + ": " + ec.message());
  return Status::Ok();
}

Status WritePrivateFile(const std::string& path, const std::string& text) {
  return ReplaceFile(path, text, 0600);
}

Status ReplaceFile(const std::string& path, const std::string& text, unsigned mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot write " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ok && ::fsync(fd) == 0;
  ok = ok && ::fchmod(fd, mode) == 0;  // whatever the umask or an earlier file left
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path);
  }
  return Status::Ok();
}

}  // namespace pathways::config
