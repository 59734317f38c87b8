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

// Every directory rapidnn writes as an output holds this marker, naming what kind of output it
// is ("artifact", "rtl", ...). rapidnn replaces or clears an existing directory only when it is
// one of its own of the same kind (or empty): never a directory of the user's files, never an
// input of another kind (an artifact named as an RTL output), never a file.
inline constexpr const char* kOutputMarker = ".rapidnn";

// Throws Error(path, ...) unless `path` may be replaced by an output of `kind`: it does not
// exist, is an empty directory, or is a directory marked as rapidnn's own `kind`.
void check_replaceable(const fs::path& path, const std::string& kind);

// Makes `dir` a directory of `kind`, keeping what it holds (check_replaceable, create, mark).
void claim_output_dir(const fs::path& dir, const std::string& kind);

// Makes `dir` an empty directory of `kind` (creating it, or clearing one check_replaceable accepts).
void reset_owned_dir(const fs::path& dir, const std::string& kind);

// Throws Error(path, ...) when an output file would replace a directory or one of `inputs`
// (the same file by another name included).
void check_output_file(const fs::path& path, const std::vector<std::string>& inputs);

// A directory built under a temporary name and renamed into place by commit(), marked as an
// output of `kind`; commit() refuses (check_replaceable) to replace anything but its own kind.
// If commit() is never called, the temporary directory is removed.
class AtomicDirectory {
 public:
  AtomicDirectory(fs::path destination, std::string kind);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  const fs::path& staging() const { return staging_; }
  void write(const fs::path& relative, std::string_view bytes) const;
  // Replaces any existing destination directory.
  void commit();

 private:
  fs::path destination_;
  std::string kind_;
  fs::path staging_;
  bool committed_ = false;
};

// An exclusive lock on a directory (flock on <dir>/.lock), held while the object lives. Throws
// Error(dir, ...) at once, naming `what`, when another process holds it.
class DirectoryLock {
 public:
  DirectoryLock(const fs::path& dir, const std::string& what);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

// An exclusive lock on the file `path` (flock; created if missing), waiting for any holder, held
// while the object lives: for work that processes share, such as one simulator build.
class FileLock {
 public:
  explicit FileLock(const fs::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// Fingerprints of every regular file under `dir` (paths relative to it, sorted), but `skip`.
std::vector<std::pair<std::string, std::string>> tree_fingerprints(const fs::path& dir,
                                                                   const std::vector<std::string>& skip = {});

// Lower-case hex content fingerprint of bytes: 64-bit FNV-1a's algorithm (xor, then multiply by
// the FNV prime 1099511628211) from the offset basis 1469598103934665603, which is not FNV-1a's
// standard 14695981039346656037 (a digit short). Kept as it is: every artifact's manifest records
// its tables' fingerprints with it; it detects corruption, it is not a cryptographic hash.
std::string fingerprint(std::string_view bytes);

}  // namespace rapidnn
