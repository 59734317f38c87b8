// Cycle model: the exact cycle behaviour of a generated design, from its plan alone.
//
// Every block of the RTL is a small state machine whose timing depends only on the plan: the
// input encoder takes one beat of features per cycle while its buffer bank is free; a stage waits in
// IDLE until every buffer it reads (its input, and a residual skip or a concatenation's second
// input) holds a sample it has not released and its output side is ready, runs its fixed number
// of cycles and spends one DONE cycle handing the banks over; a bank is free again once every
// reader of its buffer has released it; the output block holds a result until it is taken. This model steps those machines cycle by cycle with the same
// register-transfer rules, so with an always-valid input and an always-ready output it
// predicts every image's latency and the pipeline's interval exactly; a co-simulation test
// holds it to that.
#pragma once

#include <cstdint>
#include <vector>

#include "generator/rtl_plan.h"

namespace rapidnn {

struct CyclePrediction {
  std::vector<std::uint64_t> accepted;  // cycle the image's first feature is accepted
  std::vector<std::uint64_t> produced;  // cycle its class is taken
  std::uint64_t cycles = 0;             // cycles until the last class is taken (inclusive count)
  std::uint64_t latency(std::size_t i) const { return produced[i] - accepted[i]; }
  double interval() const;              // mean cycles between results
};

CyclePrediction predict_cycles(const RtlPlan& plan, std::int64_t samples);

}  // namespace rapidnn
