// Whole-file reads and temp-then-rename writes.
#include "core/fileio.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
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
    const std::string why = ec.message();  // before remove() reuses ec
    fs::remove(tmp, ec);
    fail(path.string(), "cannot move the finished file into place: {}", why);
  }
}

namespace {

std::string marker_kind(const fs::path& dir) {
  std::ifstream in(dir / kOutputMarker);
  std::string word, kind;
  if (!(in >> word >> kind) || word != "rapidnn") return "";
  return kind;
}

}  // namespace

void check_replaceable(const fs::path& path, const std::string& kind) {
  std::error_code ec;
  const auto st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return;
  if (fs::is_symlink(st)) fail(path.string(), "is a symbolic link; rapidnn will not replace it (choose another path)");
  if (!fs::is_directory(st))
    fail(path.string(), "is an existing file; rapidnn writes a {} directory here only where there is none (choose "
                        "another path)", kind);
  if (fs::is_empty(path, ec)) return;
  const std::string found = marker_kind(path);
  if (found.empty())
    fail(path.string(), "exists and was not written by rapidnn; refusing to replace it with a {} directory (remove it "
                        "or choose another path)", kind);
  if (found != kind)
    fail(path.string(), "is a rapidnn {} directory, not a {} one; refusing to replace it (choose another path)", found,
         kind);
}

void claim_output_dir(const fs::path& dir, const std::string& kind) {
  check_replaceable(dir, kind);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(dir.string(), "cannot create the directory: {}", ec.message());
  write_file_atomic(dir / kOutputMarker, "rapidnn " + kind + "\n");
}

void reset_owned_dir(const fs::path& dir, const std::string& kind) {
  check_replaceable(dir, kind);
  std::error_code ec;
  fs::remove_all(dir, ec);
  claim_output_dir(dir, kind);
}

void check_output_file(const fs::path& path, const std::vector<std::string>& inputs) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path.string(), "is a directory; give a file name for this output");
  const bool exists = fs::exists(path, ec);
  for (const auto& in : inputs) {
    if (in.empty() || !exists) continue;
    if (fs::equivalent(path, in, ec) && !ec) fail(path.string(), "is an input of this command ({}); refusing to overwrite it", in);
    ec.clear();
  }
  // Nor a file inside an input directory (an artifact's manifest, an RTL image).
  const fs::path parent = fs::weakly_canonical(fs::absolute(path), ec).parent_path();
  for (const auto& in : inputs) {
    if (in.empty() || !fs::is_directory(in, ec)) continue;
    const fs::path dir = fs::weakly_canonical(fs::absolute(in), ec);
    const auto rel = parent.lexically_relative(dir);
    if (!rel.empty() && *rel.begin() != "..")
      fail(path.string(), "is inside {}, an input of this command; refusing to write there", in);
  }
}

AtomicDirectory::AtomicDirectory(fs::path destination, std::string kind)
    : destination_(std::move(destination)), kind_(std::move(kind)) {
  check_replaceable(destination_, kind_);  // fail before any work, not after it
  std::error_code ec;
  fs::path parent = destination_.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  staging_ = temp_sibling(destination_.filename().empty() ? destination_.parent_path() : destination_);
  fs::create_directories(staging_, ec);
  if (ec) fail(destination_.string(), "cannot create a staging directory: {}", ec.message());
  write(kOutputMarker, "rapidnn " + kind_ + "\n");
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
  check_replaceable(destination_, kind_);
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

DirectoryLock::DirectoryLock(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path lock = dir / ".lock";
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(dir.string(), "cannot open the lock file {}: {}", lock.string(), std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder(32, '\0');
    const auto n = ::pread(fd_, holder.data(), holder.size(), 0);
    holder.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    ::close(fd_);
    fd_ = -1;
    fail(dir.string(), "another {} is running on this directory{}; wait for it to finish or use another directory",
         what, holder.empty() ? "" : fmt::format(" (pid {})", holder.substr(0, holder.find('\n'))));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only a courtesy for the message above.
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

FileLock::FileLock(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path.string(), "cannot open the lock file: {}", std::strerror(errno));
  while (::flock(fd_, LOCK_EX) != 0)
    if (errno != EINTR) fail(path.string(), "cannot lock: {}", std::strerror(errno));
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::pair<std::string, std::string>> tree_fingerprints(const fs::path& dir,
                                                                   const std::vector<std::string>& skip) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string rel = fs::relative(it->path(), dir).string();
    if (std::find(skip.begin(), skip.end(), rel) != skip.end()) continue;
    out.emplace_back(rel, fingerprint(read_file(it->path())));
  }
  std::sort(out.begin(), out.end());
  return out;
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
