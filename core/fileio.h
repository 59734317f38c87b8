// File helpers: whole-file reads and atomic writes.
//
// Every output rapidnn produces goes through write_file_atomic (or
// AtomicDirectory for multi-file outputs): the data is written next to the
// destination under a temporary name and renamed into place, so a failure
// never leaves a half-written file behind.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rapidnn {

namespace fs = std::filesystem;

// Reads a whole file; throws Error naming the file if it is missing or unreadable.
std::string read_file(const fs::path& path);

// Writes bytes to path via a temporary file and rename.
void write_file_atomic(const fs::path& path, std::string_view bytes);

// A directory built under a temporary name and renamed into place by commit().
// If commit() is never called, the temporary directory is removed.
class AtomicDirectory {
 public:
  explicit AtomicDirectory(fs::path destination);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  const fs::path& staging() const { return staging_; }
  void write(const fs::path& relative, std::string_view bytes) const;
  // Replaces any existing destination directory.
  void commit();

 private:
  fs::path destination_;
  fs::path staging_;
  bool committed_ = false;
};

// Lower-case hex SHA-256-free content fingerprint (FNV-1a 64) of bytes.
std::string fingerprint(std::string_view bytes);

}  // namespace rapidnn
