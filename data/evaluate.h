// Float accuracy of a network on a dataset: the reference every delta-e is measured against.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir.h"
#include "data/dataset.h"

namespace rapidnn {

struct EvalReport {
  std::int64_t samples = 0, correct = 0;
  double seconds = 0.0;
  std::vector<std::vector<std::int64_t>> confusion;  // [true][predicted]
  double accuracy() const { return samples ? 100.0 * static_cast<double>(correct) / static_cast<double>(samples) : 0.0; }
};

// Predicts every sample (threads: 0 = all cores) and counts hits and the confusion matrix.
EvalReport evaluate(const Network& net, const Dataset& d, int threads);

}  // namespace rapidnn
