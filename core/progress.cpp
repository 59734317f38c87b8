// Terminal progress bar with a quiet non-terminal mode.
#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace rapidnn {

namespace {
ProgressSink& sink() {
  static ProgressSink s;
  return s;
}
}  // namespace

void set_progress_sink(ProgressSink s) { sink() = std::move(s); }

Progress::Progress(std::string label, std::int64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && enabled_ && tty_ && !sink()) std::fputs("\n", stderr);
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(std::int64_t n) { set(done_ + n); }

void Progress::set(std::int64_t done) {
  done_ = done;
  if (sink()) {
    sink()(label_, std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)));
    return;
  }
  if (!enabled_ || !tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
  last_draw_ = now;
  draw(false);
}

void Progress::draw(bool final_line) {
  constexpr int kWidth = 30;
  const double frac = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  if (sink()) {
    sink()(label_, frac);
    return;
  }
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  std::string line = fmt::format("{:<22} [{}] {:3.0f}% {:6.1f}s", label_, bar, frac * 100.0, elapsed_seconds());
  if (!note_.empty()) line += "  " + note_;
  if (tty_) {
    fmt::print(stderr, "\r{}\x1b[K{}", line, final_line ? "\n" : "");
  } else if (final_line) {
    fmt::print(stderr, "{}\n", line);
  }
  std::fflush(stderr);
}

void Progress::finish(const std::string& note) {
  if (finished_) return;
  finished_ = true;
  done_ = total_;
  if (!note.empty()) note_ = note;
  if (enabled_) draw(true);
}

}  // namespace rapidnn
