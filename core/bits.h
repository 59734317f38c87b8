// Bit-width arithmetic shared by every stage that sizes a table, an index or an address.
#pragma once

#include <cstdint>

namespace rapidnn {

// Bits to address (or index) n entries: ceil(log2(n)), at least 1.
constexpr int clog2(std::int64_t n) {
  int b = 1;
  while (b < 63 && (std::int64_t{1} << b) < n) ++b;
  return b;
}

}  // namespace rapidnn
