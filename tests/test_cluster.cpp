// 1-D clustering: optimality against brute force, Lloyd's, tree property, degenerate data.
#include <catch2/catch.hpp>

#include <random>

#include "composer/cluster.h"
#include "core/error.h"
#include "core/ir.h"
#include "onnxio/onnx_io.h"

using namespace rapidnn;

namespace {

std::vector<double> mixture(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> a(-1.0, 0.3), b(0.5, 0.1), c(2.0, 0.7);
  std::uniform_int_distribution<int> pick(0, 2);
  std::vector<double> v(n);
  for (auto& x : v) {
    const int k = pick(rng);
    x = k == 0 ? a(rng) : k == 1 ? b(rng) : c(rng);
  }
  return v;
}

}  // namespace

TEST_CASE("optimal k-means equals the brute-force DP", "[cluster]") {
  const auto seed = GENERATE(1u, 2u, 3u, 4u, 5u);
  const int k = GENERATE(2, 3, 5, 8, 13);
  const auto p = weighted_points(std::span<const double>(mixture(60, seed)));
  const auto fast = optimal_kmeans(p, k);
  const auto slow = optimal_kmeans_bruteforce(p, k);
  CHECK(wcss(p, fast) == Approx(wcss(p, slow)).epsilon(1e-12).margin(1e-12));
  CHECK(std::is_sorted(fast.begin(), fast.end()));
}

TEST_CASE("optimal k-means equals the brute-force DP on weighted points (many DP rows)", "[cluster]") {
  const auto seed = GENERATE(6u, 7u, 8u);
  const int k = GENERATE(21, 40);
  auto v = mixture(900, seed);
  for (auto& x : v) x = std::round(x * 40.0) / 40.0;  // duplicates: multiplicities become weights
  const auto p = weighted_points(std::span<const double>(v));
  REQUIRE(p.x.size() > static_cast<std::size_t>(k));
  CHECK(wcss(p, optimal_kmeans(p, k)) == Approx(wcss(p, optimal_kmeans_bruteforce(p, k))).epsilon(1e-12).margin(1e-12));
}

TEST_CASE("optimal k-means is never worse than Lloyd's", "[cluster]") {
  const auto seed = GENERATE(11u, 12u, 13u);
  const int k = GENERATE(4, 16, 64);
  const auto p = weighted_points(std::span<const double>(mixture(5000, seed)));
  CHECK(wcss(p, optimal_kmeans(p, k)) <= wcss(p, lloyd_kmeans(p, k, seed)) * (1 + 1e-12));
}

TEST_CASE("tree and nested codebooks have the tree property", "[cluster]") {
  const auto method = GENERATE(CodebookMethod::Tree, CodebookMethod::Nested);
  const auto p = weighted_points(std::span<const double>(mixture(3000, 7)));
  const auto cb = build_codebook(p, 6, method);
  REQUIRE(cb.nested);
  REQUIRE(cb.max_level() == 6);
  for (int L = 1; L <= 6; ++L) {
    const auto& c = cb.levels[static_cast<std::size_t>(L)];
    REQUIRE(c.size() == (1u << L));
    CHECK(std::is_sorted(c.begin(), c.end()));
  }
  // A parent is the mean of its two children's members, so it lies between them: index i at
  // level L has children 2i and 2i+1 at level L+1.
  for (int L = 0; L < 6; ++L) {
    const auto& c = cb.levels[static_cast<std::size_t>(L)];
    const auto& kids = cb.levels[static_cast<std::size_t>(L + 1)];
    for (std::size_t i = 0; i < c.size(); ++i) {
      CHECK(kids[2 * i] <= c[i] + 1e-12);
      CHECK(c[i] <= kids[2 * i + 1] + 1e-12);
    }
  }
  // Finer levels never fit worse.
  for (int L = 1; L < 6; ++L) CHECK(wcss(p, cb.levels[L + 1]) <= wcss(p, cb.levels[L]) + 1e-9);
}

TEST_CASE("nested codebook's finest level is optimal", "[cluster]") {
  const auto p = weighted_points(std::span<const double>(mixture(2000, 9)));
  const auto nested = build_codebook(p, 5, CodebookMethod::Nested);
  CHECK(wcss(p, nested.at(32)) == Approx(wcss(p, optimal_kmeans(p, 32))));
  const auto optimal = build_codebook(p, 5, CodebookMethod::Optimal);
  const auto tree = build_codebook(p, 5, CodebookMethod::Tree);
  for (int size : {2, 4, 8, 16, 32}) {
    CHECK(wcss(p, optimal.at(size)) <= wcss(p, tree.at(size)) + 1e-9);
    CHECK(wcss(p, optimal.at(size)) <= wcss(p, nested.at(size)) + 1e-9);
  }
}

TEST_CASE("fewer distinct values than clusters still gives a full sorted codebook", "[cluster]") {
  const auto method = GENERATE(CodebookMethod::Tree, CodebookMethod::Optimal, CodebookMethod::Nested);
  const std::vector<double> v{0, 0, 0, 1, 1, 5};
  const auto p = weighted_points(std::span<const double>(v));
  const auto cb = build_codebook(p, 4, method);
  const auto& c = cb.at(16);
  REQUIRE(c.size() == 16);
  CHECK(std::is_sorted(c.begin(), c.end()));
  CHECK(wcss(p, c) == 0.0);
  const std::vector<double> one{3.5, 3.5};
  CHECK(build_codebook(weighted_points(std::span<const double>(one)), 3, method).at(8) == std::vector<double>(8, 3.5));
}

TEST_CASE("nearest index picks the lowest index on ties", "[cluster]") {
  const std::vector<double> c{0.0, 1.0, 1.0, 3.0};
  CHECK(nearest_index(c, 0.5) == 0);
  CHECK(nearest_index(c, 1.0) == 1);
  CHECK(nearest_index(c, 2.0) == 1);
  CHECK(nearest_index(c, 2.1) == 3);
  CHECK(nearest_index(c, -5) == 0);
  CHECK(nearest_index(c, 9) == 3);
}

TEST_CASE("codebook method names", "[cluster]") {
  CHECK(parse_codebook_method("nested") == CodebookMethod::Nested);
  CHECK_THROWS_WITH(parse_codebook_method("kmeans"), Catch::Contains("'kmeans' is not a codebook method: optimal, tree, nested or uniform"));
}

TEST_CASE("optimal codebooks beat Lloyd's on every layer of the shipped MLP", "[cluster]") {
  const Network net = import_onnx(std::string(RAPIDNN_SOURCE_DIR) + "/models/fmnist-mlp-784-512-512-10.onnx");
  for (const auto& l : net.layers) {
    const auto p = weighted_points(std::span<const float>(l.weights));
    for (int k : {4, 16}) {
      INFO(l.name << " k=" << k);
      CHECK(wcss(p, optimal_kmeans(p, k)) <= wcss(p, lloyd_kmeans(p, k, 1)) * (1 + 1e-12));
    }
  }
}
