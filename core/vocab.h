// Option vocabularies and ranges, defined once beside the type they describe.
//
// A Vocabulary maps the words a user writes (on the command line or in a flow configuration)
// to an enum and back; a Range bounds a number. The CLI binds them to its options (cli/common.h
// turns them into CLI11 validators) and the flow configuration checks its keys with them, so
// both accept exactly the same values and name them the same way.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace rapidnn {

template <typename E>
struct Vocabulary {
  const char* what;  // what a word names, for messages ("accumulate form")
  std::vector<std::pair<const char*, E>> words;

  std::optional<E> find(std::string_view text) const {
    for (const auto& [w, e] : words)
      if (text == w) return e;
    return std::nullopt;
  }
  // Throws Error(where, ...) listing the accepted words.
  E parse(std::string_view text, const std::string& where) const {
    if (auto e = find(text)) return *e;
    fail(where, "'{}' is not a {}: {}", text, what, list());
  }
  const char* name(E e) const {
    for (const auto& [w, x] : words)
      if (x == e) return w;
    return "?";
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& w : words) out.emplace_back(w.first);
    return out;
  }
  std::string list() const {  // "a, b or c"
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i)
      out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + std::string(words[i].first);
    return out;
  }
};

// An inclusive numeric range.
template <typename T>
struct ValueRange {
  const char* what;
  T lo, hi;
  bool contains(T v) const { return v >= lo && v <= hi; }  // false for NaN
  std::string text() const { return fmt::format("{} to {}", lo, hi); }
  // Throws Error(where, "KEY must be LO to HI, not V"); `key` names the option or configuration key.
  void check(T v, const std::string& where, const std::string& key) const {
    if (!contains(v)) fail(where, "{} must be {} to {} ({}), not {}", key, lo, hi, what, v);
  }
};
using IntRange = ValueRange<std::int64_t>;
using RealRange = ValueRange<double>;

// Worker threads of any command (0: all cores); more than this is a typo, not a machine.
inline constexpr IntRange kThreadsRange{"threads, 0 for all cores", 0, 1024};

}  // namespace rapidnn
