// The baseline job: the multiply-accumulate designs a lookup design is compared against, as
// uniform-quantization artifacts (CodebookMethod::Uniform: 2^b evenly spaced levels, symmetric for
// weights, unsigned after ReLU; every product is the integer k_w * k_x, so the golden model's
// accuracy is exactly the MAC design's). Two baselines: the conventional 8-bit MAC, and the
// "equal-accuracy" MAC whose weight and input widths are the smallest (fewest multiplier bits
// b_w x b_x, then fewest bits b_w + b_x) reaching at least a target test accuracy.
#pragma once

#include <string>
#include <vector>

#include "flow/compose_job.h"

namespace rapidnn::flow {

struct UniformBaseline {
  std::string name;  // "mac8", "mac-equal"
  int weight_bits = 8, input_bits = 8;
  double accuracy = 0.0, delta_e = 0.0;
  std::string artifact;  // its artifact directory
};

struct BaselineOutcome {
  double float_accuracy = 0.0, target_accuracy = 0.0;
  UniformBaseline mac8, equal;
  bool reached = false;  // some widths up to 8 x 8 reach the target (else `equal` is the best found)
  std::vector<UniformBaseline> tried;  // every (b_w, b_x) evaluated, in order
};

// Composes and evaluates the uniform designs (o.codebook is replaced by "uniform") and writes the
// two baselines' artifacts to <dir>/mac8 and <dir>/mac-equal.
BaselineOutcome run_baseline_job(const ComposeJobOptions& o, double target_accuracy, const std::string& dir);

}  // namespace rapidnn::flow
