// 1-D clustering: recursive 2-means tree, exact DP k-means (SMAWK and bounded divide and
// conquer), nested, Lloyd's.
#include "composer/cluster.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <random>

#include "core/error.h"

namespace rapidnn {

double WeightedPoints::total() const { return std::accumulate(w.begin(), w.end(), 0.0); }

template <typename T>
static WeightedPoints make_points(std::span<const T> values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  WeightedPoints p;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    p.x.push_back(v[i]);
    p.w.push_back(static_cast<double>(j - i));
    i = j;
  }
  return p;
}
WeightedPoints weighted_points(std::span<const float> values) { return make_points(values); }
WeightedPoints weighted_points(std::span<const double> values) { return make_points(values); }
namespace {

// (value, weight) pairs sorted, equal values merged with their weights summed.
WeightedPoints merged(std::vector<std::pair<double, double>> v) {
  std::sort(v.begin(), v.end());
  WeightedPoints p;
  for (const auto& [x, w] : v)
    if (!p.x.empty() && p.x.back() == x) p.w.back() += w;
    else p.x.push_back(x), p.w.push_back(w);
  return p;
}

}  // namespace

WeightedPoints weighted_points(std::span<const float> values, std::span<const double> importance) {
  std::vector<std::pair<double, double>> v;
  v.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    if (importance[i] > 0.0) v.emplace_back(values[i], importance[i]);
  return merged(std::move(v));
}

WeightedPoints merge_points(const std::vector<const WeightedPoints*>& parts) {
  std::vector<std::pair<double, double>> v;
  for (const auto* p : parts)
    for (std::size_t k = 0; k < p->x.size(); ++k) v.emplace_back(p->x[k], p->w[k]);
  return merged(std::move(v));
}

const std::vector<double>& LeveledCodebook::at(int size) const {
  for (const auto& l : levels)
    if (static_cast<int>(l.size()) == size) return l;
  fail("", "codebook has no level with {} entries (built up to {})", size, 1 << max_level());
}

double wcss(const WeightedPoints& p, const std::vector<double>& c) {
  double s = 0.0;
  for (std::size_t i = 0; i < p.x.size(); ++i) {
    const double d = p.x[i] - c[static_cast<std::size_t>(nearest_index(c, p.x[i]))];
    s += p.w[i] * d * d;
  }
  return s;
}

namespace {

// Prefix sums for O(1) cluster costs over contiguous ranges of sorted points.
struct Prefix {
  std::vector<double> w, s, q;  // size n + 1
  explicit Prefix(const WeightedPoints& p) : w(p.x.size() + 1, 0.0), s(w), q(w) {
    // Shift by the median-ish first value to limit cancellation in s^2/w.
    const double shift = p.x.empty() ? 0.0 : p.x[p.x.size() / 2];
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      const double x = p.x[i] - shift;
      w[i + 1] = w[i] + p.w[i];
      s[i + 1] = s[i] + p.w[i] * x;
      q[i + 1] = q[i] + p.w[i] * x * x;
    }
    offset = shift;
  }
  // Cost of points [a, b] inclusive.
  double cost(std::size_t a, std::size_t b) const {
    const double ww = w[b + 1] - w[a];
    if (ww <= 0) return 0.0;
    const double ss = s[b + 1] - s[a];
    return std::max(0.0, (q[b + 1] - q[a]) - ss * ss / ww);
  }
  double mean(std::size_t a, std::size_t b) const { return (s[b + 1] - s[a]) / (w[b + 1] - w[a]) + offset; }
  double offset = 0.0;
};

struct Range {
  std::size_t a = 0, b = 0;  // inclusive; empty when a > b
  bool empty() const { return a > b; }
};

Range empty_range() { return Range{1, 0}; }

// One DP row's matrix: M(i, j) = prev[j-1] + cost(j..i) for j <= i, written as
// col[j].c + row[i].q - (row[i].s - col[j].s)^2 / (row[i].w - col[j].w) from packed per-row and
// per-column sums; columns right of the diagonal get increasing huge values so the matrix stays
// totally monotone.
struct Sums {
  double w, s, q;
};
struct RowMatrix {
  const Sums* row;  // row[i]: prefix sums over [0, i]
  const Sums* col;  // col[j]: prefix sums over [0, j) with q replaced by prev[j-1] - q
  double operator()(std::uint32_t i, std::uint32_t j) const {
    if (j > i) return 1e200 * (1.0 + static_cast<double>(j - i));
    const Sums& r = row[i];
    const Sums& c = col[j];
    const double ss = r.s - c.s;
    return c.q + r.q - ss * ss / (r.w - c.w);
  }
};

// SMAWK row minima (leftmost) of a totally monotone matrix over the contiguous rows
// [first, first + count); buffers are reused across calls.
class Smawk {
 public:
  void run(std::uint32_t first, std::uint32_t count, const RowMatrix& f, std::uint32_t* argmin) {
    rows_.resize(count);
    for (std::uint32_t i = 0; i < count; ++i) rows_[i] = first + i;
    if (kept_.size() < 64) {
      kept_.resize(64);
      odd_.resize(64);
      val_.resize(64);
    }
    solve(rows_, rows_, f, argmin, 0);
  }

 private:
  void solve(const std::vector<std::uint32_t>& rows, const std::vector<std::uint32_t>& cols, const RowMatrix& f,
             std::uint32_t* argmin, std::size_t depth) {
    if (rows.empty()) return;
    std::vector<std::uint32_t>& kept = kept_[depth];
    std::vector<std::uint32_t>& odd = odd_[depth];
    std::vector<double>& val = val_[depth];  // val[t] = f(rows[t], kept[t])
    const std::vector<std::uint32_t>* k = &cols;
    if (cols.size() > rows.size()) {  // REDUCE: at most one column per row survives
      kept.clear();
      val.clear();
      for (std::uint32_t c : cols) {
        while (!kept.empty()) {
          if (val.back() <= f(rows[kept.size() - 1], c)) break;
          kept.pop_back();
          val.pop_back();
        }
        if (kept.size() < rows.size()) {
          kept.push_back(c);
          val.push_back(f(rows[kept.size() - 1], c));
        }
      }
      k = &kept;
    }
    const std::vector<std::uint32_t>& kc = *k;
    odd.clear();
    for (std::size_t i = 1; i < rows.size(); i += 2) odd.push_back(rows[i]);
    solve(odd, kc, f, argmin, depth + 1);
    std::size_t ci = 0;
    for (std::size_t i = 0; i < rows.size(); i += 2) {
      const std::uint32_t r = rows[i];
      const std::uint32_t last = i + 1 < rows.size() ? argmin[rows[i + 1]] : kc.back();
      std::uint32_t best = kc[ci];
      double bv = f(r, best);
      while (kc[ci] != last) {
        ++ci;
        const double v = f(r, kc[ci]);
        if (v < bv) {
          bv = v;
          best = kc[ci];
        }
      }
      argmin[r] = best;
    }
  }
  std::vector<std::uint32_t> rows_;
  std::vector<std::vector<std::uint32_t>> kept_, odd_;
  std::vector<std::vector<double>> val_;
};


// Row minima by divide and conquer over rows [lo, hi] with leftmost argmins nondecreasing in the
// row, searched within [max(clo, low[i]), min(chi, i)].
void dc_rows(const RowMatrix& f, const std::uint32_t* low, std::uint32_t lo, std::uint32_t hi, std::uint32_t clo,
             std::uint32_t chi, std::uint32_t* argmin, double* value) {
  while (lo <= hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    std::uint32_t a = std::max(clo, low[mid]);
    const std::uint32_t b = std::min(chi, mid);
    std::uint32_t best = a;
    double bv = f(mid, a);
    for (++a; a <= b; ++a) {
      const double v = f(mid, a);
      if (v < bv) {
        bv = v;
        best = a;
      }
    }
    argmin[mid] = best;
    value[mid] = bv;
    if (mid > lo) dc_rows(f, low, lo, mid - 1, clo, best, argmin, value);
    lo = mid + 1;
    clo = best;
  }
}

// Optimal partitions of sorted weighted points into each of the sizes in `ks` (ascending), from
// one DP: ranges[t] has ks[t] contiguous ranges (some empty when ks[t] > n).
std::vector<std::vector<Range>> optimal_partitions(const WeightedPoints& p, const std::vector<int>& ks) {
  const std::size_t n = p.x.size();
  if (n >= std::numeric_limits<std::uint32_t>::max()) fail("", "too many distinct values to cluster ({})", n);
  std::vector<std::vector<Range>> out;
  const auto K = static_cast<std::size_t>(std::min<std::size_t>(static_cast<std::size_t>(ks.back()), n));
  // from[m * n + i]: start of the last of m+1 clusters over [0, i]; only i >= m is written and read.
  std::vector<std::uint32_t> from;
  if (n > 0 && K > 1) {
    from.resize(K * n);
    const double shift = p.x[n / 2];  // limits cancellation in q - s^2/w
    std::vector<Sums> row(n), col(n);
    Sums acc{0, 0, 0};
    for (std::size_t i = 0; i < n; ++i) {
      col[i] = acc;  // sums over [0, i)
      const double x = p.x[i] - shift;
      acc = Sums{acc.w + p.w[i], acc.s + p.w[i] * x, acc.q + p.w[i] * x * x};
      row[i] = acc;
    }
    std::vector<double> prev(n);
    for (std::size_t i = 0; i < n; ++i) prev[i] = row[i].q - row[i].s * row[i].s / row[i].w;
    std::vector<double> prefix_q(n);
    for (std::size_t j = 0; j < n; ++j) prefix_q[j] = col[j].q;
    Smawk smawk;
    std::vector<std::uint32_t> argmin(n);
    for (std::size_t m = 1; m < K; ++m) {
      for (std::size_t j = m; j < n; ++j) col[j].q = prev[j - 1] - prefix_q[j];
      const RowMatrix f{row.data(), col.data()};
      std::uint32_t* fm = from.data() + m * n;
      const std::uint32_t* low = from.data() + (m - 1) * n;
      if (m == 1) {  // no lower bound yet: SMAWK, O(n)
        smawk.run(static_cast<std::uint32_t>(m), static_cast<std::uint32_t>(n - m), f, argmin.data());
        for (std::size_t i = m; i < n; ++i) {
          prev[i] = f(static_cast<std::uint32_t>(i), argmin[i]);
          fm[i] = argmin[i];
        }
      } else {  // bounded by the previous row's argmins: cheap sequential scans, fastest in practice
        dc_rows(f, low, static_cast<std::uint32_t>(m), static_cast<std::uint32_t>(n - 1), static_cast<std::uint32_t>(m),
                static_cast<std::uint32_t>(n - 1), fm, prev.data());
      }
    }
  }
  for (int k : ks) {
    std::vector<Range> r;
    if (static_cast<std::size_t>(k) >= n) {
      for (std::size_t i = 0; i < n; ++i) r.push_back(Range{i, i});
      while (r.size() < static_cast<std::size_t>(k)) r.push_back(empty_range());
    } else {
      r.assign(static_cast<std::size_t>(k), empty_range());
      std::size_t end = n - 1;
      for (std::size_t m = static_cast<std::size_t>(k); m-- > 0;) {
        const std::size_t start = m == 0 ? 0 : from[m * n + end];
        r[m] = Range{start, end};
        if (m > 0) end = start - 1;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Range> optimal_partition(const WeightedPoints& p, int k) { return optimal_partitions(p, {k}).front(); }

std::vector<double> centers_of(const Prefix& pre, const std::vector<Range>& ranges) {
  std::vector<double> c(ranges.size());
  double last = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (!ranges[i].empty()) last = pre.mean(ranges[i].a, ranges[i].b);
    c[i] = last;
  }
  // Leading empties (none in practice) take the first real center.
  for (std::size_t i = ranges.size(); i-- > 0;)
    if (std::isnan(c[i])) c[i] = i + 1 < c.size() ? c[i + 1] : 0.0;
  return c;
}

// Exact 2-means split of a contiguous range.
std::pair<Range, Range> split2(const Prefix& pre, Range r) {
  if (r.empty() || r.a == r.b) return {r, empty_range()};
  std::size_t best = r.a;
  double bv = std::numeric_limits<double>::infinity();
  for (std::size_t s = r.a; s < r.b; ++s) {
    const double v = pre.cost(r.a, s) + pre.cost(s + 1, r.b);
    if (v < bv) {
      bv = v;
      best = s;
    }
  }
  return {Range{r.a, best}, Range{best + 1, r.b}};
}

}  // namespace

std::vector<double> optimal_kmeans(const WeightedPoints& p, int k) {
  if (p.x.empty()) fail("", "cannot cluster an empty set");
  return centers_of(Prefix(p), optimal_partition(p, k));
}

std::vector<double> optimal_kmeans_bruteforce(const WeightedPoints& p, int k) {
  const std::size_t n = p.x.size();
  if (static_cast<std::size_t>(k) >= n) return optimal_kmeans(p, k);
  const Prefix pre(p);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> D(static_cast<std::size_t>(k), std::vector<double>(n, inf));
  std::vector<std::vector<std::size_t>> J(static_cast<std::size_t>(k), std::vector<std::size_t>(n, 0));
  for (std::size_t i = 0; i < n; ++i) D[0][i] = pre.cost(0, i);
  for (std::size_t m = 1; m < static_cast<std::size_t>(k); ++m)
    for (std::size_t i = m; i < n; ++i)
      for (std::size_t j = m; j <= i; ++j) {
        const double v = D[m - 1][j - 1] + pre.cost(j, i);
        if (v < D[m][i]) {
          D[m][i] = v;
          J[m][i] = j;
        }
      }
  std::vector<Range> r(static_cast<std::size_t>(k));
  std::size_t end = n - 1;
  for (std::size_t m = static_cast<std::size_t>(k); m-- > 0;) {
    r[m] = Range{J[m][end], end};
    if (m > 0) end = J[m][end] - 1;
  }
  return centers_of(pre, r);
}

std::vector<double> lloyd_kmeans(const WeightedPoints& p, int k, std::uint64_t seed, int max_iter) {
  const std::size_t n = p.x.size();
  if (n == 0) fail("", "cannot cluster an empty set");
  std::mt19937_64 rng(seed);
  // k-means++ seeding on weighted points.
  std::vector<double> c;
  std::discrete_distribution<std::size_t> first(p.w.begin(), p.w.end());
  c.push_back(p.x[first(rng)]);
  std::vector<double> d2(n);
  while (static_cast<int>(c.size()) < k) {
    std::sort(c.begin(), c.end());
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = p.x[i] - c[static_cast<std::size_t>(nearest_index(c, p.x[i]))];
      d2[i] = p.w[i] * d * d;
      total += d2[i];
    }
    if (total <= 0.0) {
      c.push_back(c.back());
      continue;
    }
    std::discrete_distribution<std::size_t> next(d2.begin(), d2.end());
    c.push_back(p.x[next(rng)]);
  }
  return lloyd_refine(p, c, max_iter);
}

std::vector<double> lloyd_refine(const WeightedPoints& p, std::vector<double> c, int max_iter) {
  if (c.empty()) fail("", "cannot refine an empty codebook");
  std::sort(c.begin(), c.end());
  std::vector<double> sw(c.size()), sx(c.size());
  for (int it = 0; it < max_iter; ++it) {
    std::fill(sw.begin(), sw.end(), 0.0);
    std::fill(sx.begin(), sx.end(), 0.0);
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      const auto j = static_cast<std::size_t>(nearest_index(c, p.x[i]));
      sw[j] += p.w[i];
      sx[j] += p.w[i] * p.x[i];
    }
    bool changed = false;
    for (std::size_t j = 0; j < c.size(); ++j)
      if (sw[j] > 0) {
        const double m = sx[j] / sw[j];
        changed |= m != c[j];
        c[j] = m;
      }
    std::sort(c.begin(), c.end());
    if (!changed) break;
  }
  return c;
}

std::vector<double> uniform_levels(double lo, double hi, int level) {
  const std::int64_t n = std::int64_t{1} << level;
  std::vector<double> c;
  if (lo < 0) {
    const std::int64_t half = n / 2;
    const double delta = std::max(std::fabs(lo), std::fabs(hi)) / static_cast<double>(std::max<std::int64_t>(1, half - 1));
    for (std::int64_t k = -half; k < half; ++k) c.push_back(static_cast<double>(k) * delta);
  } else {
    const double delta = hi / static_cast<double>(n - 1);
    for (std::int64_t k = 0; k < n; ++k) c.push_back(static_cast<double>(k) * delta);
  }
  return c;
}

LeveledCodebook build_codebook(const WeightedPoints& p, int max_level, CodebookMethod method) {
  if (p.x.empty()) fail("", "cannot build a codebook from no values");
  if (max_level < 0 || max_level > 16) fail("", "codebook level {} is out of range (0 to 16)", max_level);
  const Prefix pre(p);
  LeveledCodebook cb;
  const std::size_t n = p.x.size();
  cb.levels.push_back({pre.mean(0, n - 1)});
  switch (method) {
    case CodebookMethod::Tree: {
      cb.nested = true;
      std::vector<Range> level{Range{0, n - 1}};
      std::vector<double> centers = cb.levels[0];
      for (int L = 1; L <= max_level; ++L) {
        std::vector<Range> next;
        std::vector<double> c;
        for (std::size_t i = 0; i < level.size(); ++i) {
          const auto [lo, hi] = split2(pre, level[i]);
          next.push_back(lo);
          next.push_back(hi);
          c.push_back(lo.empty() ? centers[i] : pre.mean(lo.a, lo.b));
          c.push_back(hi.empty() ? c.back() : pre.mean(hi.a, hi.b));
        }
        level = std::move(next);
        centers = c;
        cb.levels.push_back(std::move(c));
      }
      break;
    }
    case CodebookMethod::Optimal: {
      std::vector<int> ks;
      for (int L = 1; L <= max_level; ++L) ks.push_back(1 << L);
      if (!ks.empty())
        for (const auto& r : optimal_partitions(p, ks)) cb.levels.push_back(centers_of(pre, r));
      break;
    }
    case CodebookMethod::Uniform:
      for (int L = 1; L <= max_level; ++L) cb.levels.push_back(uniform_levels(p.x.front(), p.x.back(), L));
      break;
    case CodebookMethod::Nested: {
      cb.nested = true;
      std::vector<Range> level = optimal_partition(p, 1 << max_level);
      std::vector<std::vector<double>> up{centers_of(pre, level)};
      for (int L = max_level - 1; L >= 1; --L) {
        std::vector<Range> merged;
        for (std::size_t i = 0; i < level.size(); i += 2) {
          const Range &a = level[i], &b = level[i + 1];
          if (a.empty()) merged.push_back(b);
          else if (b.empty()) merged.push_back(a);
          else merged.push_back(Range{a.a, b.b});
        }
        level = std::move(merged);
        up.push_back(centers_of(pre, level));
      }
      for (auto it = up.rbegin(); it != up.rend(); ++it) cb.levels.push_back(*it);
      break;
    }
  }
  return cb;
}

}  // namespace rapidnn
