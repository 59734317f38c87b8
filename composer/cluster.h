// 1-D clustering for codebooks (paper section 3.1).
//
// Every method returns a LeveledCodebook: for each level L = 1..max_level a
// sorted codebook of 2^L centers (duplicates allowed when the data has fewer
// distinct values). Methods:
//  - Tree:    the paper's recursive 2-means (Figure 5). Each cluster is split
//             by an exact 1-D 2-means; children stay in their parent's range,
//             so the level-L index >> 1 is the parent's level-(L-1) index.
//  - Optimal: exact flat 1-D k-means per level (dynamic programming, each DP
//             row by SMAWK or by divide and conquer bounded below by the previous
//             row's argmins, as in Ckmeans.1d.dp / Gronlund et al.).
//             Minimal WCSS at every level, but levels are not nested.
//  - Nested:  optimal at the finest level, then sibling pairs merged upward
//             (parent = mean of its members): nested like Tree.
//  - Uniform: not clustering but uniform quantization, as a codebook: 2^L evenly
//             spaced levels k * delta. Signed data: k = -2^(L-1) .. 2^(L-1) - 1,
//             delta = max|x| / (2^(L-1) - 1) (symmetric); data >= 0 (after ReLU,
//             pixels): k = 0 .. 2^L - 1, delta = max x / (2^L - 1). An index is
//             then the integer k in offset binary (signed) or plain binary, so a
//             multiply-accumulate baseline of L-bit numbers computes the same sums.
// Values are first reduced to distinct sorted values with multiplicities, so
// data with few distinct values (pixels, ReLU zeros) cluster fast.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/vocab.h"

namespace rapidnn {

enum class CodebookMethod { Tree, Optimal, Nested, Uniform };
inline const Vocabulary<CodebookMethod> kCodebookMethods{"codebook method",
                                                         {{"optimal", CodebookMethod::Optimal},
                                                          {"tree", CodebookMethod::Tree},
                                                          {"nested", CodebookMethod::Nested},
                                                          {"uniform", CodebookMethod::Uniform}}};
inline const char* to_string(CodebookMethod m) { return kCodebookMethods.name(m); }
inline CodebookMethod parse_codebook_method(const std::string& s) { return kCodebookMethods.parse(s, "--codebook"); }

struct WeightedPoints {
  std::vector<double> x;  // sorted, distinct
  std::vector<double> w;  // multiplicity (> 0)
  double total() const;
};
WeightedPoints weighted_points(std::span<const float> values);
WeightedPoints weighted_points(std::span<const double> values);
// Values with an importance each: equal values merged (importances summed), values of importance 0
// dropped. Empty when every importance is 0.
WeightedPoints weighted_points(std::span<const float> values, std::span<const double> importance);
// The union of several point sets: equal values merged, weights summed.
WeightedPoints merge_points(const std::vector<const WeightedPoints*>& parts);

struct LeveledCodebook {
  std::vector<std::vector<double>> levels;  // levels[L] has 2^L sorted centers; levels[0] = {mean}
  bool nested = false;                      // index >> 1 is the parent index
  const std::vector<double>& at(int size) const;  // the level with `size` centers
  int max_level() const { return static_cast<int>(levels.size()) - 1; }
};

LeveledCodebook build_codebook(const WeightedPoints& p, int max_level, CodebookMethod method);

// The uniform quantizer's levels (CodebookMethod::Uniform) for data in [lo, hi] at 2^level entries.
std::vector<double> uniform_levels(double lo, double hi, int level);

// Index of the entry of a sorted table nearest to v; the lowest index on ties, including
// between equal (duplicated) entries. Shared by codebooks (double) and integer tables.
template <typename T>
int nearest_sorted(const std::vector<T>& c, T v) {
  const auto it = std::lower_bound(c.begin(), c.end(), v);
  if (it == c.begin()) return 0;
  const int hi = static_cast<int>(it - c.begin());
  int lo = hi - 1;
  while (lo > 0 && c[static_cast<std::size_t>(lo - 1)] == c[static_cast<std::size_t>(lo)]) --lo;
  if (it == c.end()) return lo;
  return (v - c[static_cast<std::size_t>(lo)] <= c[static_cast<std::size_t>(hi)] - v) ? lo : hi;
}

// Index of the nearest center (lowest index on ties) for a sorted codebook.
inline int nearest_index(const std::vector<double>& sorted_centers, double v) { return nearest_sorted(sorted_centers, v); }

// Within-cluster sum of squares of the points against a sorted codebook (nearest assignment).
double wcss(const WeightedPoints& p, const std::vector<double>& sorted_centers);

// Exact optimal k-means of weighted sorted points: returns sorted centers (size k, duplicates
// padded when fewer distinct points). About O(k n log n) scans, 10^6 points x 64 in < 2 s.
std::vector<double> optimal_kmeans(const WeightedPoints& p, int k);
// Reference: O(k n^2) dynamic program, for tests.
std::vector<double> optimal_kmeans_bruteforce(const WeightedPoints& p, int k);
// Lloyd's algorithm with seeded k-means++ initialisation (the usual heuristic), for comparison.
std::vector<double> lloyd_kmeans(const WeightedPoints& p, int k, std::uint64_t seed, int max_iter = 300);
// Lloyd's iterations from the given centers (re-clustering around an existing codebook); an
// entry no point chooses keeps its value. Returns sorted centers.
std::vector<double> lloyd_refine(const WeightedPoints& p, std::vector<double> centers, int max_iter = 300);

}  // namespace rapidnn
