#include "engine/storage/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pathways::storage {

Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(what + " " + path + " does not exist");
    return Status::IOError("cannot stat " + what + " " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return Status::FailedPrecondition(what + " " + path +
                                      " may be read by group or others; run chmod 600 on it");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return Status::IOError("cannot read " + what + " " + path);
  return content.str();
}

Status CreateSecretFile(const std::string& path, const std::string& text, const std::string& what) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Conflict(what + " " + path + " already exists");
    return Status::IOError("cannot create " + what + " " + path + ": " + std::strerror(errno));
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IOError("cannot write " + what + " " + path);
  }
  return Status::Ok();
}

}  // namespace pathways::storage
