// The stage runner: key -> cached directory, or a captured, timed run renamed into place.
#include "flow/runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "core/error.h"
#include "core/fileio.h"
#include "core/progress.h"
#include "data/dataset.h"

namespace rapidnn::flow {
namespace {

namespace fs = std::filesystem;

// Redirects stdout and stderr (and so every subprocess) into a stage's log while it runs.
class Capture {
 public:
  explicit Capture(const fs::path& log) {
    std::fflush(stdout);
    std::fflush(stderr);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(log.string(), "cannot write the stage log");
    out_ = ::dup(1);
    err_ = ::dup(2);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~Capture() {
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(out_, 1);
    ::dup2(err_, 2);
    ::close(out_);
    ::close(err_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

 private:
  int out_ = -1, err_ = -1;
};

std::string bar(double f) {
  const auto n = static_cast<std::size_t>(std::clamp(f, 0.0, 1.0) * 20);
  std::string b(22, '.');
  b.front() = '[';
  b.back() = ']';
  for (std::size_t i = 0; i < n; ++i) b[i + 1] = '#';
  return b;
}

// What a finished stage directory holds: every file's fingerprint (but the record and the log).
json contents_json(const fs::path& dir) {
  json j = json::object();
  for (const auto& [rel, fp] : tree_fingerprints(dir, {"result.json", "log.txt", "contents.json"})) j[rel] = fp;
  return j;
}

// Empty when `dir` still holds what its contents.json recorded; otherwise what changed.
std::string stale_contents(const fs::path& dir) {
  json want;
  try {
    want = json::parse(read_file(dir / "contents.json"));
  } catch (const std::exception&) {
    return "its record of contents is missing or unreadable";
  }
  const json have = contents_json(dir);
  for (const auto& [rel, fp] : want.items()) {
    if (!have.contains(rel)) return fmt::format("{} is missing", rel);
    if (have.at(rel) != fp) return fmt::format("{} was changed", rel);
  }
  return "";
}

}  // namespace

std::string content_hash(const std::string& path) {
  if (path == "fashion-mnist") return content_hash(fashion_mnist_dir());
  if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(path))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::string all;
    for (const auto& f : files) all += fs::relative(f, path).string() + ":" + fingerprint(read_file(f)) + "\n";
    return fingerprint(all);
  }
  return fingerprint(read_file(path));
}

Runner::Runner(fs::path out, int total, bool force) : out_(std::move(out)), total_(total), force_(force) {
  term_ = ::fdopen(::dup(2), "w");
  tty_ = ::isatty(2) != 0;
}

Runner::~Runner() {
  if (term_) std::fclose(term_);
}

void Runner::skip(const std::string& name, const std::string& why) {
  ++index_;
  line(fmt::format("[{}/{}] {:<12} skipped      {}", index_, total_, name, why), true);
}

void Runner::line(const std::string& text, bool final_line) {
  std::lock_guard<std::mutex> lock(term_mutex_);
  if (tty_) fmt::print(term_, "\r{}\x1b[K{}", text, final_line ? "\n" : "");
  else if (final_line) fmt::print(term_, "{}\n", text);
  std::fflush(term_);
}

// Runs `work` with its output captured to staging/log.txt and a progress line ticking on a
// terminal; on failure the log is kept in <out>/logs and the staging directory removed.
json Runner::run_captured(const std::string& head, const fs::path& staging,
                          const std::function<json(const fs::path&)>& work, double& seconds) {
  Stopwatch sw;
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::string inner;
  double frac = 0.0;
  set_progress_sink([&](const std::string& label, double f) {
    std::lock_guard<std::mutex> lock(m);
    inner = label;
    frac = f;
  });
  std::thread ticker([&] {
    std::unique_lock<std::mutex> lock(m);
    while (!cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; }))
      if (tty_) line(fmt::format("{} {} {:6.1f} s  {}", head, bar(frac), sw.seconds(), inner), false);
  });
  const auto stop = [&] {
    {
      std::lock_guard<std::mutex> lock(m);
      done = true;
    }
    cv.notify_all();
    ticker.join();
    set_progress_sink(nullptr);
  };
  json result;
  try {
    Capture capture(staging / "log.txt");
    result = work(staging);
  } catch (...) {
    stop();
    seconds = sw.seconds();
    throw;
  }
  stop();
  seconds = sw.seconds();
  return result;
}

StageInfo Runner::run_stage(const std::string& name, const json& inputs, const std::function<json(const fs::path&)>& work,
                            const std::function<std::string(const json&)>& summary, json& record) {
  StageInfo s;
  s.name = name;
  s.key = fingerprint(inputs.dump());
  s.dir = out_ / "stages" / fmt::format("{}-{}", name, s.key);
  ++index_;
  const std::string head = fmt::format("[{}/{}] {:<12}", index_, total_, name);
  std::string stale;
  if (!force_ && fs::exists(s.dir / "result.json") && (stale = stale_contents(s.dir)).empty()) {
    s.cached = true;
    record = json::parse(read_file(s.dir / "result.json"));
    s.seconds = record.value("seconds", 0.0);
    line(fmt::format("{} cached       {}  ({})", head, summary(record), s.dir.string()), true);
    stages_.push_back(s);
    return s;
  }
  if (!force_ && fs::exists(s.dir / "result.json"))
    line(fmt::format("{} stale        {}: running it again", head, stale), true);
  const fs::path staging = s.dir.string() + ".partial";
  const fs::path log = out_ / "logs" / (name + ".log");
  fs::remove_all(staging);
  fs::create_directories(staging);
  fs::create_directories(out_ / "logs");
  try {
    record = run_captured(head, staging, work, s.seconds);
  } catch (...) {
    std::error_code ec;
    fs::copy_file(staging / "log.txt", log, fs::copy_options::overwrite_existing, ec);
    fs::remove_all(staging, ec);
    line(fmt::format("{} FAILED after {:.1f} s (log: {})", head, s.seconds, log.string()), true);
    throw;
  }
  record["seconds"] = s.seconds;
  record["key"] = s.key;
  write_file_atomic(staging / "contents.json", contents_json(staging).dump(1) + "\n");
  write_file_atomic(staging / "result.json", record.dump(2) + "\n");
  std::error_code ec;
  fs::remove_all(s.dir, ec);
  fs::rename(staging, s.dir, ec);
  if (ec) fail(s.dir.string(), "cannot move the finished stage into place: {}", ec.message());
  fs::copy_file(s.dir / "log.txt", log, fs::copy_options::overwrite_existing, ec);
  line(fmt::format("{} {} {:6.1f} s  {}", head, bar(1.0), s.seconds, summary(record)), true);
  stages_.push_back(s);
  return s;
}

}  // namespace rapidnn::flow
