// Progress display for anything that takes more than a few seconds.
//
// On a terminal it redraws one line "label [#####.....] 42% 3.1s"; when stderr
// is not a terminal (CI, pipes) it stays quiet until finish(), which prints one
// summary line, so logs do not fill with carriage returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace rapidnn {

// While a sink is set, every Progress reports (label, fraction done) to it instead of drawing:
// `rapidnn flow` shows one line per stage and feeds it from the stage's own progress bars.
using ProgressSink = std::function<void(const std::string& label, double fraction)>;
void set_progress_sink(ProgressSink sink);

class Progress {
 public:
  Progress(std::string label, std::int64_t total, bool enabled = true);
  ~Progress();
  void advance(std::int64_t n = 1);
  void set(std::int64_t done);
  void set_note(std::string note) { note_ = std::move(note); }
  // Prints the final line with the elapsed time and an optional note.
  void finish(const std::string& note = "");
  double elapsed_seconds() const;

 private:
  void draw(bool final_line);
  std::string label_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  std::string note_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// Wall-clock stopwatch.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rapidnn
