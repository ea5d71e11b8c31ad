#pragma once
// Small private files the CLI and the server share (tokens, passwords): read-modify-write
// under an advisory lock on FILE.lock, replaced atomically (write, fsync, rename), mode 0600 in
// a folder made private when it has to be created. Concurrent CLI calls and the server's reads
// never see half a file.

#include <string>

#include "engine/result.hpp"

namespace pathways::config {

// An exclusive advisory lock on PATH.lock while it lives.
class FileLock {
 public:
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Creates the file's folder (0700) when it does not exist yet.
Status EnsurePrivateFolder(const std::string& path);

// Replaces `path` with `text` atomically, mode 0600.
Status WritePrivateFile(const std::string& path, const std::string& text);
// The same with another mode: a file written for others to read (a published checkpoint).
Status ReplaceFile(const std::string& path, const std::string& text, unsigned mode);

}  // namespace pathways::config
