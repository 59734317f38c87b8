// Error reporting shared by every stage.
//
// A rapidnn::Error is a user-facing failure (bad input file, impossible
// parameter): it carries the file it concerns and one clear sentence. The CLI
// prints "rapidnn: error: FILE: MESSAGE" and exits with kExitBadInput.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace rapidnn {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // a check ran and failed (e.g. a mismatch)
inline constexpr int kExitBadInput = 2;  // bad input: file, option, model, data

class Error : public std::runtime_error {
 public:
  Error(std::string file, std::string message);
  explicit Error(std::string message) : Error("", std::move(message)) {}

  const std::string& file() const { return file_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  std::string message_;
};

// Throws Error(file, fmt::format(...)).
template <typename... Args>
[[noreturn]] void fail(const std::string& file, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(file, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace rapidnn
