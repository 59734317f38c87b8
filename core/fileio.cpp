// Whole-file reads and temp-then-rename writes.
#include "core/fileio.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"

namespace rapidnn {

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(path.string(), "no such file");
  if (fs::is_directory(path, ec)) fail(path.string(), "is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), "cannot open for reading: {}", std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(path.string(), "read error");
  return ss.str();
}

static fs::path temp_sibling(const fs::path& path) {
  // Unique per process and call; deterministic content is unaffected by the name.
  static std::atomic<unsigned> counter{0};
  return path.parent_path() /
         fmt::format(".{}.tmp.{}.{}", path.filename().string(), ::getpid(), counter++);
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = temp_sibling(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path.string(), "cannot open for writing: {}", std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      fail(path.string(), "write failed (disk full?)");
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    fail(path.string(), "cannot move the finished file into place: {}", ec.message());
  }
}

AtomicDirectory::AtomicDirectory(fs::path destination) : destination_(std::move(destination)) {
  std::error_code ec;
  fs::path parent = destination_.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  staging_ = temp_sibling(destination_.filename().empty() ? destination_.parent_path() : destination_);
  fs::create_directories(staging_, ec);
  if (ec) fail(destination_.string(), "cannot create a staging directory: {}", ec.message());
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

void AtomicDirectory::write(const fs::path& relative, std::string_view bytes) const {
  const fs::path path = staging_ / relative;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(destination_.string(), "cannot write {}", relative.string());
}

void AtomicDirectory::commit() {
  std::error_code ec;
  if (fs::exists(destination_, ec)) {
    const fs::path old = temp_sibling(destination_);
    fs::rename(destination_, old, ec);
    if (ec) fail(destination_.string(), "cannot replace the existing directory: {}", ec.message());
    fs::rename(staging_, destination_, ec);
    fs::remove_all(old, ec);
  } else {
    fs::rename(staging_, destination_, ec);
  }
  if (ec) fail(destination_.string(), "cannot move the finished directory into place: {}", ec.message());
  committed_ = true;
}

std::string fingerprint(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace rapidnn
