// Codebook construction: time and WCSS of the three methods and Lloyd's, on 10^6 values into 64
// clusters (a heavy-tailed weight-like distribution, all values distinct).
//   build/bench/bench_cluster [n] [k]
#include <fmt/format.h>

#include <cmath>
#include <random>

#include "composer/cluster.h"
#include "core/progress.h"

using namespace rapidnn;

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
  const int k = argc > 2 ? std::stoi(argv[2]) : 64;
  const int levels = static_cast<int>(std::lround(std::log2(k)));
  std::mt19937_64 rng(1);
  std::student_t_distribution<double> t(4.0);
  std::vector<double> v(n);
  for (auto& x : v) x = 0.05 * t(rng);
  Stopwatch prep;
  const WeightedPoints p = weighted_points(std::span<const double>(v));
  fmt::print("{} values ({} distinct), k = {}; sort+dedup {:.3f} s\n", n, p.x.size(), k, prep.seconds());
  fmt::print("{:<34} {:>10} {:>16} {:>10}\n", "method", "seconds", "WCSS", "vs optimal");
  Stopwatch s0;
  const auto opt = optimal_kmeans(p, k);
  const double t_opt = s0.seconds(), w_opt = wcss(p, opt);
  fmt::print("{:<34} {:>10.3f} {:>16.6e} {:>10.4f}\n", "optimal flat (exact DP)", t_opt, w_opt, 1.0);
  for (auto m : {CodebookMethod::Tree, CodebookMethod::Nested, CodebookMethod::Optimal}) {
    Stopwatch s;
    const auto cb = build_codebook(p, levels, m);
    const double secs = s.seconds();
    const double w = wcss(p, cb.at(k));
    fmt::print("{:<34} {:>10.3f} {:>16.6e} {:>10.4f}\n", fmt::format("{} codebook, levels 1..{}", to_string(m), levels),
               secs, w, w / w_opt);
  }
  Stopwatch s1;
  const auto ll = lloyd_kmeans(p, k, 1);
  const double t_ll = s1.seconds(), w_ll = wcss(p, ll);
  fmt::print("{:<34} {:>10.3f} {:>16.6e} {:>10.4f}\n", "Lloyd (k-means++, seed 1)", t_ll, w_ll, w_ll / w_opt);
  return 0;
}
