// Golden model: bit-exact integer inference of a ComposedNetwork.
//
// This is what the accelerator computes, with only integer lookups,
// additions, shifts and comparisons: encode raw inputs, accumulate products
// (directly, as the paper's counters times products by shift-and-add, or
// selected from shared product rows),
// activation and encoding by nearest-distance search (two blocks, or the
// fused single block), max pooling on sorted indices, argmax at the output
// (lowest index on ties). The RTL is checked against it bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "composer/composed.h"

namespace rapidnn {

enum class AmForm { TwoBlock, Fused };
inline const Vocabulary<AmForm> kAmForms{"activation/encoding form", {{"two-block", AmForm::TwoBlock}, {"fused", AmForm::Fused}}};

struct GoldenOptions {
  AccumulateForm accumulate = AccumulateForm::Direct;
  AmForm am = AmForm::TwoBlock;
};

struct GoldenTrace {
  std::vector<std::uint16_t> input;                 // encoded raw input
  std::vector<std::vector<std::uint16_t>> encoded;  // per stage: encoded output (empty for the output stage)
  std::vector<std::vector<std::int64_t>> acc;       // per weighted stage: accumulator values
  std::vector<std::int64_t> scores;                 // output stage accumulators
  int label = -1;
};

// Activation + encoding of one accumulator value.
int am_two_block(const Stage& s, std::int64_t acc);
int am_fused(const Stage& s, std::int64_t acc);
// count * p by shifts and adds: runs of ones become 2^(k+1) - 2^j (the paper's 2^k - 1 trick).
std::int64_t count_times_product(std::uint64_t count, std::int64_t p);

class GoldenModel {
 public:
  explicit GoldenModel(const ComposedNetwork& net, GoldenOptions opt = {});
  // Classifies one sample of raw integer features (numel(input_shape) values).
  int classify(const std::uint16_t* raw, GoldenTrace* trace = nullptr) const;
  // Classifies n samples, spread over threads (0: all cores).
  std::vector<int> classify_all(const std::vector<std::uint16_t>& raw, std::int64_t n, int threads = 0) const;
  const ComposedNetwork& network() const { return net_; }
  // Stages that take the byte-shuffle lookup (see PackedDense in golden.cpp): the same sums.
  int packed_stages() const;

  struct PackedDense;  // golden.cpp

 private:
  void run_weighted(std::size_t si, const std::vector<std::uint16_t>& x, std::vector<std::int64_t>& acc) const;
  const ComposedNetwork& net_;
  GoldenOptions opt_;
  std::vector<std::shared_ptr<const PackedDense>> packed_;  // per stage; null where the plain loop runs
};

// Percent of `labels.size()` samples of raw features the golden model classifies right.
double golden_accuracy(const ComposedNetwork& net, const std::vector<std::uint16_t>& raw, const std::vector<int>& labels,
                       int threads = 0);

}  // namespace rapidnn
